package com.apintake.vendors.control;

import com.apintake.extraction.entity.InvoiceData;
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
