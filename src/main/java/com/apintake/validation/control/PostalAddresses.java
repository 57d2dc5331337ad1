package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-08: An Invoice shall contain the Seller postal address (BG-5). BR-10: An Invoice shall contain
 * the Buyer postal address (BG-8).
 *
 * <p>An address is taken as present when it has its country code (BT-40, BT-55): EN 16931 makes the
 * country code mandatory in both addresses (BR-09, BR-11), and it is what decides which VAT rules
 * apply to the supply.
 */
@ApplicationScoped
public class PostalAddresses implements Rule {

    @Override
    public List<Finding> check(InvoiceData invoice) {
        return List.of(
                check("BR-08", "seller postal address (BG-5): country code (BT-40)", invoice.sellerCountryCode()),
                check("BR-10", "buyer postal address (BG-8): country code (BT-55)", invoice.buyerCountryCode()));
    }

    private static Finding check(String rule, String what, String countryCode) {
        return countryCode == null
                ? Finding.failed(rule, what + " is missing")
                : Finding.passed(rule, what + " " + countryCode);
    }
}
