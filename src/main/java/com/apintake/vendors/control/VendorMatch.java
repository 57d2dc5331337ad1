package com.apintake.vendors.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.platform.control.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Finds the vendor master row an invoice's seller is: by VAT id first (legally unique), then by a
 * seller identifier (GLN, DUNS, ...), then by exact name, case-insensitively. The order matters: a
 * name is the weakest evidence, so it is only used when nothing stronger matched.
 */
public final class VendorMatch {

    public record Match(long vendorId, String matchedBy) {}

    /**
     * The vendor master's bank account compared with an invoice's, without reading it: the intake
     * runs as ap-clerk, which may not see bank details (vendor_bank_check in 030-security.sql).
     */
    public record BankCheck(boolean onFile, boolean matches, String maskedOnFile) {}

    static final String SQL = """
            SELECT id, 'vatId' AS matched_by, 1 AS strength FROM vendors WHERE vat_id = ?
            UNION ALL
            SELECT id, 'sellerIdentifier', 2 FROM vendors WHERE seller_identifier = ANY (?)
            UNION ALL
            SELECT id, 'name', 3 FROM vendors WHERE lower(name) = lower(?)
            ORDER BY strength, id
            LIMIT 1""";

    /** The vendor an invoice's seller is, with the bank check of the invoice's IBAN against it (null without IBAN). */
    public record Identified(long vendorId, String matchedBy, BankCheck bank) {}

    /*
     * One round trip for the intake: match, bank check, and the transaction-scoped advisory lock on
     * (vendor, invoice number) under which the intake then looks for an earlier copy. The lock is taken
     * here, in a statement of its own before that look-up, so the look-up's snapshot already sees
     * whatever a concurrent upload of the same invoice committed while we waited.
     */
    static final String IDENTIFY = """
            SELECT m.id, m.matched_by, b.on_file, b.matches, b.masked_on_file,
                   pg_advisory_xact_lock((m.id % 2147483647)::int, hashtext(coalesce(?, ''))) IS NULL AS locked
            FROM (""" + SQL + """
            ) m
            LEFT JOIN LATERAL vendor_bank_check(m.id, ?) b ON ?::text IS NOT NULL""";

    /** As {@link #find} plus the bank check, and locks (vendor, invoice number) for the rest of the transaction. */
    public static Optional<Identified> identify(Sql sql, InvoiceData invoice, String iban) {
        if (invoice == null) {
            return Optional.empty();
        }
        List<String> identifiers = invoice.sellerIdentifiers() == null ? List.of() : invoice.sellerIdentifiers();
        return sql.one(
                IDENTIFY,
                row -> new Identified(
                        row.longValue("id"),
                        row.string("matched_by"),
                        iban == null
                                ? null
                                : new BankCheck(
                                        row.bool("on_file"), row.bool("matches"), row.string("masked_on_file"))),
                invoice.invoiceNumber(),
                invoice.sellerVatId(),
                Sql.array("text", identifiers),
                invoice.sellerName(),
                iban,
                iban);
    }

    private VendorMatch() {}

    public static Optional<Match> find(Connection connection, InvoiceData invoice) throws SQLException {
        if (invoice == null) {
            return Optional.empty();
        }
        List<String> identifiers = invoice.sellerIdentifiers() == null ? List.of() : invoice.sellerIdentifiers();
        try (var statement = connection.prepareStatement(SQL)) {
            statement.setString(1, invoice.sellerVatId());
            statement.setArray(2, connection.createArrayOf("text", identifiers.toArray()));
            statement.setString(3, invoice.sellerName());
            try (var rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new Match(rows.getLong(1), rows.getString(2))) : Optional.empty();
            }
        }
    }

    public static BankCheck bankCheck(Connection connection, long vendorId, String iban) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT * FROM vendor_bank_check(?, ?)")) {
            statement.setLong(1, vendorId);
            statement.setString(2, iban);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return new BankCheck(rows.getBoolean(1), rows.getBoolean(2), rows.getString(3));
            }
        }
    }
}
