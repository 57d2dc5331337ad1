package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-CO-25: In case the Amount due for payment (BT-115) is positive, either the Payment due date
 * (BT-9) or the Payment terms (BT-20) shall be present.
 *
 * <p>Without either, accounts payable cannot schedule the payment or take a cash discount.
 */
@ApplicationScoped
public class PaymentDueInformation implements Rule {

    static final String RULE = "BR-CO-25";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.amountDue() == null || invoice.amountDue().signum() <= 0) {
            return List.of(Finding.notApplicable(
                    RULE, "amount due (BT-115) " + Money.text(invoice.amountDue()) + " is not positive"));
        }
        String due = "amount due (BT-115) " + Money.text(invoice.amountDue());
        if (invoice.dueDate() != null) {
            return List.of(Finding.passed(RULE, due + ", payment due date (BT-9) " + invoice.dueDate()));
        }
        if (invoice.paymentTerms() != null) {
            return List.of(Finding.passed(RULE, due + ", payment terms (BT-20) given"));
        }
        return List.of(Finding.failed(
                RULE, due + " is positive but neither payment due date (BT-9) nor payment terms (BT-20) are given"));
    }
}
