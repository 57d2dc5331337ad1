package com.apintake.validation.control;

import static com.apintake.validation.control.Money.orZero;
import static com.apintake.validation.control.Money.text;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;

/**
 * BR-CO-16: Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) - Paid amount
 * (BT-113) + Rounding amount (BT-114).
 *
 * <p>This is the amount accounts payable will actually transfer, so a mismatch here is the costliest
 * one. Absent paid and rounding amounts count as zero.
 */
@ApplicationScoped
public class AmountDue implements Rule {

    static final String RULE = "BR-CO-16";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.amountDue() == null || invoice.totalWithVat() == null) {
            return List.of(Finding.notApplicable(RULE, "BT-115 or BT-112 absent, see BR-14 and BR-15"));
        }
        BigDecimal expected =
                invoice.totalWithVat().subtract(orZero(invoice.paidAmount())).add(orZero(invoice.roundingAmount()));
        String formula = "BT-112 - BT-113 + BT-114 = " + text(invoice.totalWithVat()) + " - "
                + text(orZero(invoice.paidAmount())) + " + " + text(orZero(invoice.roundingAmount()));
        return List.of(Money.compare(RULE, "BT-115", invoice.amountDue(), formula, expected));
    }
}
