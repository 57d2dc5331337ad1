package com.apintake.intake.control;

import com.apintake.extraction.entity.InvoiceData;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A content duplicate is the same invoice sent again in a different file (re-scanned, re-exported,
 * sent by mail and portal): same vendor, invoice number, issue date, gross amount and currency.
 * It is kept but held for a person to confirm or dismiss; paying it twice is the costly mistake.
 */
public final class DuplicateCheck {

    static final String EARLIER = """
            SELECT id FROM invoices
            WHERE vendor_id = ? AND invoice_number = ? AND issue_date = ? AND total_gross = ? AND currency = ?
              AND id <> ? AND workflow_status NOT IN ('CONFIRMED_DUPLICATE', 'REJECTED')
            ORDER BY created_at, id
            LIMIT 1""";

    private DuplicateCheck() {}

    /**
     * The earliest other invoice with the same content. Serialised per (vendor, number) with a
     * transaction-scoped advisory lock, so two files of one invoice arriving at once cannot both
     * pass as originals.
     */
    public static Optional<Long> earlier(Connection connection, long vendorId, InvoiceData invoice, long invoiceId)
            throws SQLException {
        if (invoice.invoiceNumber() == null
                || invoice.issueDate() == null
                || invoice.totalWithVat() == null
                || invoice.currency() == null) {
            return Optional.empty();
        }
        try (var lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            lock.setInt(1, (int) (vendorId ^ (vendorId >>> 32)));
            lock.setString(2, invoice.invoiceNumber());
            lock.execute();
        }
        try (var statement = connection.prepareStatement(EARLIER)) {
            statement.setLong(1, vendorId);
            statement.setString(2, invoice.invoiceNumber());
            statement.setObject(3, invoice.issueDate());
            statement.setBigDecimal(4, invoice.totalWithVat());
            statement.setString(5, invoice.currency());
            statement.setLong(6, invoiceId);
            try (var rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }
}
