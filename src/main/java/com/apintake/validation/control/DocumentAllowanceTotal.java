package com.apintake.validation.control;

import com.apintake.extraction.entity.AllowanceCharge;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-CO-11: Sum of allowances on document level (BT-107) = Σ Document level allowance amount
 * (BT-92).
 *
 * <p>As in the EN 16931 Schematron, an invoice without document level allowances may omit BT-107;
 * one with allowances may not.
 */
@ApplicationScoped
public class DocumentAllowanceTotal implements Rule {

    static final String RULE = "BR-CO-11";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        return List.of(DocumentLevelSum.check(
                RULE,
                "BT-107",
                "document level allowance amounts (BT-92)",
                invoice.sumOfAllowances(),
                invoice.allowancesAndCharges().stream()
                        .filter(a -> !a.charge())
                        .map(AllowanceCharge::amount)
                        .toList()));
    }
}
