package com.apintake.validation.control;

import static com.apintake.validation.control.Money.text;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.Line;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * BR-LINE-NET (our id; EN 16931-1 gives the calculation in its line model, not as a numbered rule):
 * Invoice line net amount (BT-131) = Invoiced quantity (BT-129) x Item net price (BT-146) / Item
 * price base quantity (BT-149, 1 when absent) + Σ line charges (BT-141) - Σ line allowances
 * (BT-136), to the cent.
 *
 * <p>One finding per line, naming it, so a wrong quantity or price is found on the line it is on.
 */
@ApplicationScoped
public class LineNetAmounts implements Rule {

    static final String RULE = "BR-LINE-NET";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.lines().isEmpty()) {
            return List.of(Finding.notApplicable(RULE, "no invoice lines, see BR-16"));
        }
        List<Finding> findings = new ArrayList<>();
        for (Line line : invoice.lines()) {
            findings.add(check(line));
        }
        return findings;
    }

    private static Finding check(Line line) {
        String label = "line " + line.id();
        if (line.quantity() == null || line.netPrice() == null || line.netAmount() == null) {
            return Finding.notApplicable(RULE, label + ": quantity, net price or net amount absent");
        }
        if (line.allowances() == null || line.charges() == null) {
            return Finding.notApplicable(RULE, label + ": its allowances or charges could not be read");
        }
        BigDecimal base = line.baseQuantity() == null ? BigDecimal.ONE : line.baseQuantity();
        if (base.signum() == 0) {
            return Finding.failed(RULE, label + ": price base quantity (BT-149) is zero");
        }
        // Twelve decimals are far below the cent, so the division's rounding cannot tip the comparison.
        BigDecimal expected = line.quantity()
                .multiply(line.netPrice())
                .divide(base, 12, RoundingMode.HALF_UP)
                .add(line.charges())
                .subtract(line.allowances());
        String formula = "BT-129 x BT-146 / BT-149 + BT-141 - BT-136 = "
                + line.quantity().stripTrailingZeros().toPlainString() + " x "
                + line.netPrice().toPlainString()
                + " / " + base.stripTrailingZeros().toPlainString() + " + " + text(line.charges()) + " - "
                + text(line.allowances());
        return Money.compare(RULE, label + ": BT-131", line.netAmount(), formula, expected);
    }
}
