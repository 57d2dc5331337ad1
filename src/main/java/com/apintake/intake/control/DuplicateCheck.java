package com.apintake.intake.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.platform.control.Sql;
import java.util.Optional;

/**
 * A content duplicate is the same invoice sent again in a different file (re-scanned, re-exported,
 * sent by mail and portal): same vendor, invoice number, issue date, gross amount and currency.
 * It is kept but held for a person to confirm or dismiss; paying it twice is the costly mistake.
 */
public final class DuplicateCheck {

    static final String EARLIER = """
            SELECT id FROM invoices
            WHERE vendor_id = ? AND invoice_number = ? AND issue_date = ?::date AND total_gross = ? AND currency = ?
              AND workflow_status NOT IN ('CONFIRMED_DUPLICATE', 'REJECTED')
            ORDER BY created_at, id
            LIMIT 1""";

    private DuplicateCheck() {}

    /**
     * The earliest invoice already stored with the same content. Call it after
     * VendorMatch.identify in the same transaction: that statement took the advisory lock on
     * (vendor, number), so two files of one invoice arriving at once cannot both pass as originals.
     */
    public static Optional<Long> earlier(Sql sql, long vendorId, InvoiceData invoice) {
        if (invoice.invoiceNumber() == null
                || invoice.issueDate() == null
                || invoice.totalWithVat() == null
                || invoice.currency() == null) {
            return Optional.empty();
        }
        return sql.one(
                EARLIER,
                row -> row.longValue("id"),
                vendorId,
                invoice.invoiceNumber(),
                invoice.issueDate(),
                invoice.totalWithVat(),
                invoice.currency());
    }
}
