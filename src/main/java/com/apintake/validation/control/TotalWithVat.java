package com.apintake.validation.control;

import static com.apintake.validation.control.Money.orZero;
import static com.apintake.validation.control.Money.text;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-CO-15: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) +
 * Invoice total VAT amount (BT-110).
 *
 * <p>An absent BT-110 counts as zero.
 */
@ApplicationScoped
public class TotalWithVat implements Rule {

    static final String RULE = "BR-CO-15";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.totalWithVat() == null || invoice.totalWithoutVat() == null) {
            return List.of(Finding.notApplicable(RULE, "BT-112 or BT-109 absent, see BR-13 and BR-14"));
        }
        String formula =
                "BT-109 + BT-110 = " + text(invoice.totalWithoutVat()) + " + " + text(orZero(invoice.totalVat()));
        return List.of(Money.compare(
                RULE,
                "BT-112",
                invoice.totalWithVat(),
                formula,
                invoice.totalWithoutVat().add(orZero(invoice.totalVat()))));
    }
}
