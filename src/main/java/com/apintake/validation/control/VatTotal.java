package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.VatBreakdown;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;

/**
 * BR-CO-14: Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).
 *
 * <p>BT-110 is optional in EN 16931 (it may be left out when no VAT is charged), so without it the
 * rule does not apply, as in the Schematron.
 */
@ApplicationScoped
public class VatTotal implements Rule {

    static final String RULE = "BR-CO-14";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.totalVat() == null) {
            return List.of(Finding.notApplicable(RULE, "no invoice total VAT amount (BT-110)"));
        }
        BigDecimal sum = invoice.vatBreakdown().stream()
                .map(VatBreakdown::taxAmount)
                .map(Money::orZero)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        String formula = "sum of " + invoice.vatBreakdown().size() + " VAT category tax amounts (BT-117)";
        return List.of(Money.compare(RULE, "BT-110", invoice.totalVat(), formula, sum));
    }
}
