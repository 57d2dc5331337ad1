package com.apintake.validation.control;

import com.apintake.extraction.entity.AllowanceCharge;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-CO-12: Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99).
 *
 * <p>As in the EN 16931 Schematron, an invoice without document level charges may omit BT-108; one
 * with charges may not.
 */
@ApplicationScoped
public class DocumentChargeTotal implements Rule {

    static final String RULE = "BR-CO-12";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        return List.of(DocumentLevelSum.check(
                RULE,
                "BT-108",
                "document level charge amounts (BT-99)",
                invoice.sumOfCharges(),
                invoice.allowancesAndCharges().stream()
                        .filter(AllowanceCharge::charge)
                        .map(AllowanceCharge::amount)
                        .toList()));
    }
}
