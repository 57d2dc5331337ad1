package com.apintake.validation.control;

import static com.apintake.validation.control.Money.text;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.VatBreakdown;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * BR-CO-17: VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category
 * rate (BT-119) / 100), rounded to two decimals.
 *
 * <p>One finding per VAT breakdown row, so a reviewer sees which rate is off. A row without a rate
 * (category O, not subject to VAT) must carry no tax, as the Schematron has it.
 */
@ApplicationScoped
public class VatCategoryTaxAmounts implements Rule {

    static final String RULE = "BR-CO-17";

    private static final BigDecimal HUNDRED = new BigDecimal("100");

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.vatBreakdown().isEmpty()) {
            return List.of(Finding.notApplicable(RULE, "no VAT breakdown (BG-23)"));
        }
        List<Finding> findings = new ArrayList<>();
        for (VatBreakdown row : invoice.vatBreakdown()) {
            String label = "VAT category " + row.category() + " at "
                    + (row.rate() == null
                            ? "no rate"
                            : row.rate().stripTrailingZeros().toPlainString() + "%");
            if (row.taxableAmount() == null || row.taxAmount() == null) {
                findings.add(Finding.notApplicable(RULE, label + ": BT-116 or BT-117 absent, see BR-45 and BR-46"));
                continue;
            }
            BigDecimal rate = row.rate() == null ? BigDecimal.ZERO : row.rate();
            BigDecimal expected = row.taxableAmount().multiply(rate).divide(HUNDRED);
            String formula = "BT-116 x BT-119 / 100 = " + text(row.taxableAmount()) + " x "
                    + rate.stripTrailingZeros().toPlainString() + " / 100";
            findings.add(Money.compare(RULE, label + ": BT-117", row.taxAmount(), formula, expected));
        }
        return findings;
    }
}
