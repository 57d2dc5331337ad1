package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-CO-26: In order for the buyer to automatically identify a supplier, the Seller identifier
 * (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31)
 * shall be present.
 *
 * <p>Matching an invoice to a vendor master record relies on one of these; names alone are too
 * ambiguous.
 */
@ApplicationScoped
public class SellerIdentification implements Rule {

    static final String RULE = "BR-CO-26";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (!invoice.sellerIdentifiers().isEmpty()) {
            return List.of(Finding.passed(
                    RULE,
                    "seller identifier (BT-29) " + invoice.sellerIdentifiers().get(0)));
        }
        if (invoice.sellerLegalRegistrationId() != null) {
            return List.of(Finding.passed(
                    RULE, "seller legal registration identifier (BT-30) " + invoice.sellerLegalRegistrationId()));
        }
        if (invoice.sellerVatId() != null) {
            return List.of(Finding.passed(RULE, "seller VAT identifier (BT-31) " + invoice.sellerVatId()));
        }
        return List.of(Finding.failed(
                RULE,
                "none of seller identifier (BT-29), legal registration identifier (BT-30), VAT identifier (BT-31)"));
    }
}
