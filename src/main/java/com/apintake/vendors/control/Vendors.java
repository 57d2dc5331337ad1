package com.apintake.vendors.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.control.ReadSource;
import com.apintake.security.control.Caller;
import com.apintake.vendors.entity.Vendor;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The vendor master: list, create, change. The database's constraints (VAT id format, unique VAT id,
 * IBAN shape) have the last word, and so do its privileges: reads go through vendors_visible, which
 * shows bank details to ap-approver only.
 */
@ApplicationScoped
@Transactional
public class Vendors {

    static final String COLUMNS = "id, name, vat_id, seller_identifier, iban, account_holder, created_at, updated_at";
    static final String VISIBLE = "SELECT " + COLUMNS + " FROM vendors_visible";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    AuditTrail audit;

    @Inject
    ReadSource reads;

    /**
     * A read-only list page: it reads the replica when one is in sync and has replayed the caller's own last
     * write (ReadSource), in a read-only transaction of its own; this method joins no JTA transaction.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Vendor> list(String nameContains, int limit, int offset) {
        String sql = VISIBLE + " WHERE (?::text IS NULL OR lower(name) LIKE '%' || lower(?) || '%')"
                + " ORDER BY name, id LIMIT ? OFFSET ?";
        try {
            return reads.read(connection -> {
                caller.scope(connection);
                try (var statement = connection.prepareStatement(sql)) {
                    statement.setString(1, nameContains);
                    statement.setString(2, nameContains);
                    statement.setInt(3, limit);
                    statement.setInt(4, offset);
                    return vendors(statement.executeQuery());
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Listing vendors failed", e);
        }
    }

    public Optional<Vendor> find(long id) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(VISIBLE + " WHERE id = ?")) {
            caller.scope(connection);
            statement.setLong(1, id);
            return vendors(statement.executeQuery()).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading vendor " + id + " failed", e);
        }
    }

    public Vendor create(Vendor vendor) {
        String sql =
                "INSERT INTO vendors (name, vat_id, seller_identifier, iban, account_holder, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
                        + " RETURNING id";
        return write(sql, vendor, null);
    }

    public Vendor update(long id, Vendor vendor) {
        String sql = "UPDATE vendors SET name = ?, vat_id = ?, seller_identifier = ?, iban = ?, account_holder = ?,"
                + " updated_by = ?, updated_at = now() WHERE id = ? RETURNING id";
        return write(sql, vendor, id);
    }

    private Vendor write(String sql, Vendor vendor, Long id) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            caller.scope(connection);
            String iban = vendor.iban() == null ? null : upper(vendor.iban().replace(" ", ""));
            String bank = "bank details " + (iban == null ? "none" : "set");
            if (id != null) {
                var before = VendorMatch.bankCheck(connection, id, iban);
                boolean same = iban == null ? !before.onFile() : before.matches();
                bank = same ? "bank account unchanged" : "bank account changed (was " + before.maskedOnFile() + ")";
            }
            statement.setString(1, vendor.name() == null ? null : vendor.name().strip());
            statement.setString(2, upper(vendor.vatId()));
            statement.setString(3, blankToNull(vendor.sellerIdentifier()));
            statement.setString(4, iban);
            statement.setString(5, blankToNull(vendor.accountHolder()));
            statement.setString(6, caller.name());
            if (id != null) {
                statement.setLong(7, id);
            }
            long written;
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw Problem.of(Response.Status.NOT_FOUND, "No vendor " + id + ".");
                }
                written = rows.getLong(1);
            }
            audit.record(
                    connection,
                    id == null ? "vendor.create" : "vendor.update",
                    "vendor " + written,
                    vendor.name() + "; " + bank);
            try (var read = connection.prepareStatement(VISIBLE + " WHERE id = ?")) {
                read.setLong(1, written);
                return vendors(read.executeQuery()).get(0);
            }
        } catch (SQLException e) {
            throw switch (e.getSQLState()) {
                case "23505" ->
                    Problem.of(Response.Status.CONFLICT, "A vendor with VAT id " + vendor.vatId() + " exists already.");
                case "23514", "23502" ->
                    Problem.of(
                            Response.Status.BAD_REQUEST,
                            "Invalid vendor: name is required; vatId like DE123456789; iban like DE89370400440532013000.");
                default -> new IllegalStateException("Writing a vendor failed", e);
            };
        }
    }

    private static String upper(String value) {
        String v = blankToNull(value);
        return v == null ? null : v.toUpperCase(Locale.ROOT);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static List<Vendor> vendors(ResultSet rows) throws SQLException {
        try (rows) {
            List<Vendor> result = new ArrayList<>();
            while (rows.next()) {
                result.add(new Vendor(
                        rows.getLong(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getString(5),
                        rows.getString(6),
                        rows.getObject(7, OffsetDateTime.class),
                        rows.getObject(8, OffsetDateTime.class)));
            }
            return result;
        }
    }
}
