package com.apintake.intake.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import com.apintake.vendors.control.VendorMatch;
import java.util.Locale;
import java.util.Optional;

/**
 * Our own accounts-payable rules, beside the EN 16931 ones: pure functions of the extracted invoice
 * and what the database already told us, so they are tested without a database and judged before
 * anything is written. Rule ids carry the {@code AP-} prefix.
 */
public final class ApRules {

    public static final String VENDOR_MATCH = "AP-VENDOR-MATCH";
    public static final String BANK_ACCOUNT = "AP-BANK-ACCOUNT";
    public static final String DUPLICATE = "AP-DUPLICATE";
    public static final String CONFIDENCE = "AP-CONFIDENCE";

    private ApRules() {}

    /** The seller must be a vendor we know: paying an unknown party is how fake invoices get paid. */
    public static Finding vendorMatch(Optional<VendorMatch.Identified> vendor, InvoiceData data) {
        return vendor.map(v ->
                        Finding.passed(VENDOR_MATCH, "Vendor " + v.vendorId() + " matched by " + v.matchedBy() + "."))
                .orElseGet(() -> Finding.failed(
                        VENDOR_MATCH, "Seller '" + (data == null ? null : data.sellerName()) + "' matches no vendor."));
    }

    /**
     * The IBAN must be the one on the vendor master: a changed account is the classic payment
     * diversion. Not applicable when either side has none.
     */
    public static Finding bankAccount(String ibanOnInvoice, VendorMatch.BankCheck check) {
        if (ibanOnInvoice == null || check == null || !check.onFile()) {
            return Finding.notApplicable(
                    BANK_ACCOUNT, "no IBAN on the " + (ibanOnInvoice == null ? "invoice" : "vendor master") + ".");
        }
        return check.matches()
                ? Finding.passed(BANK_ACCOUNT, "IBAN matches the vendor master.")
                : Finding.failed(
                        BANK_ACCOUNT,
                        "IBAN on the invoice " + mask(ibanOnInvoice) + " differs from the vendor master "
                                + check.maskedOnFile()
                                + ": verify the change with the vendor by phone before paying.");
    }

    /** The same invoice (vendor, number, date, gross, currency) must not be paid twice. */
    public static Finding duplicate(Optional<Long> earlier) {
        return earlier.map(e -> Finding.failed(
                        DUPLICATE, "Same vendor, number, date, gross amount and currency as invoice " + e + "."))
                .orElseGet(() -> Finding.passed(DUPLICATE, "No earlier invoice with the same content."));
    }

    /** Fields read with low confidence must be checked by a person before they are paid on. */
    public static Finding confidence(double overall, double minimum) {
        return new Finding(
                CONFIDENCE,
                overall >= minimum,
                String.format(Locale.ROOT, "Extraction confidence %.3f, threshold %.3f.", overall, minimum));
    }

    public static String normalizeIban(String iban) {
        return iban == null || iban.isBlank() ? null : iban.replace(" ", "").toUpperCase(Locale.ROOT);
    }

    /** Enough of an IBAN to tell two apart, not enough to copy it. */
    static String mask(String iban) {
        return iban.length() <= 8 ? "****" : iban.substring(0, 4) + "****" + iban.substring(iban.length() - 4);
    }
}
