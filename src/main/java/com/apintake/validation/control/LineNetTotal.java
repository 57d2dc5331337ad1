package com.apintake.validation.control;

import static com.apintake.validation.control.Money.orZero;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.Line;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;

/**
 * BR-CO-10: Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).
 *
 * <p>A line without a net amount counts as zero, so the sum cannot be confirmed and the rule fails.
 */
@ApplicationScoped
public class LineNetTotal implements Rule {

    static final String RULE = "BR-CO-10";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.sumOfLineNetAmounts() == null) {
            return List.of(Finding.notApplicable(RULE, "no sum of line net amounts (BT-106), see BR-12"));
        }
        BigDecimal sum = BigDecimal.ZERO;
        long withoutAmount = 0;
        for (Line line : invoice.lines()) {
            if (line.netAmount() == null) {
                withoutAmount++;
            }
            sum = sum.add(orZero(line.netAmount()));
        }
        String formula = "sum of " + invoice.lines().size() + " line net amounts (BT-131)"
                + (withoutAmount > 0 ? " (" + withoutAmount + " absent, counted as 0)" : "");
        return List.of(Money.compare(RULE, "BT-106", invoice.sumOfLineNetAmounts(), formula, sum));
    }
}
