package com.apintake.validation.control;

import static com.apintake.validation.control.Money.orZero;
import static com.apintake.validation.control.Money.text;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;

/**
 * BR-CO-13: Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of
 * allowances on document level (BT-107) + Sum of charges on document level (BT-108).
 *
 * <p>The line sum is taken from BT-106 (BR-CO-10 checks that against the lines); absent allowance or
 * charge totals count as zero.
 */
@ApplicationScoped
public class TotalWithoutVat implements Rule {

    static final String RULE = "BR-CO-13";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.totalWithoutVat() == null || invoice.sumOfLineNetAmounts() == null) {
            return List.of(Finding.notApplicable(RULE, "BT-109 or BT-106 absent, see BR-12 and BR-13"));
        }
        BigDecimal expected = invoice.sumOfLineNetAmounts()
                .subtract(orZero(invoice.sumOfAllowances()))
                .add(orZero(invoice.sumOfCharges()));
        String formula = "BT-106 - BT-107 + BT-108 = " + text(invoice.sumOfLineNetAmounts()) + " - "
                + text(orZero(invoice.sumOfAllowances())) + " + " + text(orZero(invoice.sumOfCharges()));
        return List.of(Money.compare(RULE, "BT-109", invoice.totalWithoutVat(), formula, expected));
    }
}
