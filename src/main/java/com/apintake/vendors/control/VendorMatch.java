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

    public record Match(long vendorId, String iban, String matchedBy) {}

    static final String SQL = """
            SELECT id, iban, 'vatId' AS matched_by, 1 AS strength FROM vendors WHERE vat_id = ?
            UNION ALL
            SELECT id, iban, 'sellerIdentifier', 2 FROM vendors WHERE seller_identifier = ANY (?)
            UNION ALL
            SELECT id, iban, 'name', 3 FROM vendors WHERE lower(name) = lower(?)
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
                return rows.next()
                        ? Optional.of(new Match(rows.getLong(1), rows.getString(2), rows.getString(3)))
                        : Optional.empty();
            }
        }
    }
}
