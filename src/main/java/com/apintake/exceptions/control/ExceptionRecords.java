package com.apintake.exceptions.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.exceptions.entity.ExceptionType;
import com.apintake.intake.control.WorkflowMoves;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.control.ReadSource;
import com.apintake.platform.control.Sql;
import com.apintake.security.control.Caller;
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
import java.util.Optional;
import javax.sql.DataSource;

/** Exceptions raised for people, and their resolution, which moves the invoice on when nothing else holds it. */
@ApplicationScoped
@Transactional
public class ExceptionRecords {

    public record Record(
            long id,
            long invoiceId,
            String type,
            String detail,
            boolean resolved,
            String resolvedBy,
            String resolution,
            OffsetDateTime createdAt,
            OffsetDateTime resolvedAt) {}

    /** For a SUSPECTED_DUPLICATE: CONFIRM makes the invoice a CONFIRMED_DUPLICATE, DISMISS releases it. */
    public enum Action {
        CONFIRM,
        DISMISS
    }

    static final String COLUMNS =
            "id, invoice_id, type, detail, resolved, resolved_by, resolution, created_at, resolved_at";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    AuditTrail audit;

    @Inject
    Sql sql;

    @Inject
    ReadSource reads;

    /** An exception to raise: its type and what the person resolving it needs to know. */
    public record Raise(ExceptionType type, String detail) {}

    static final String RAISE = """
            INSERT INTO exceptions (invoice_id, type, detail)
            SELECT ?, r.* FROM unnest(?::text[], ?::text[]) AS r""";

    /** Raises exceptions on one invoice in the caller's transaction: one multi-row INSERT. */
    public void raise(Sql sql, long invoiceId, List<Raise> raised) {
        if (raised.isEmpty()) {
            return;
        }
        sql.update(
                RAISE,
                invoiceId,
                Sql.array("text", raised.stream().map(r -> r.type().name()).toList()),
                Sql.array("text", raised.stream().map(Raise::detail).toList()));
    }

    /**
     * Newest first; resolved = false is served by idx_exceptions_resolved_created. A read-only list page: it
     * reads the replica when one is in sync and has replayed the caller's own last write (a resolution just
     * made), in a read-only transaction of its own; this method joins no JTA transaction.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Record> list(Boolean resolved, Long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM exceptions WHERE true");
        if (resolved != null) {
            sql.append(" AND resolved = ?");
        }
        if (beforeId != null) {
            sql.append(" AND (created_at, id) < (SELECT created_at, id FROM exceptions WHERE id = ?)");
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        try {
            return reads.read(connection -> {
                caller.scope(connection);
                try (var statement = connection.prepareStatement(sql.toString())) {
                    int index = 1;
                    if (resolved != null) {
                        statement.setBoolean(index++, resolved);
                    }
                    if (beforeId != null) {
                        statement.setLong(index++, beforeId);
                    }
                    statement.setInt(index, limit);
                    return records(statement.executeQuery());
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Listing exceptions failed", e);
        }
    }

    public List<Record> ofInvoice(long invoiceId) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM exceptions WHERE invoice_id = ? ORDER BY id")) {
            caller.scope(connection);
            statement.setLong(1, invoiceId);
            return records(statement.executeQuery());
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the exceptions of invoice " + invoiceId + " failed", e);
        }
    }

    public Optional<Record> find(long id) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM exceptions WHERE id = ?")) {
            caller.scope(connection);
            statement.setLong(1, id);
            return records(statement.executeQuery()).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading exception " + id + " failed", e);
        }
    }

    /**
     * Resolves one exception and, with the invoice row locked, moves the invoice on: a confirmed
     * duplicate ends there (its other exceptions are closed with it); otherwise the invoice goes to
     * PENDING_APPROVAL once no exception holds it any more.
     */
    @Transactional
    public Record resolve(long id, String resolvedBy, String resolution, Action action, Long vendorId) {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            // Lock the invoice first, then read the exception: the same order as approval, so they cannot deadlock.
            Record unlocked =
                    find(id).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "No exception " + id + "."));
            WorkflowStatus status = WorkflowMoves.lock(sql, unlocked.invoiceId());
            Record exception = find(id).orElseThrow();
            if (exception.resolved()) {
                throw Problem.of(
                        Response.Status.CONFLICT,
                        "Exception " + id + " was already resolved by " + exception.resolvedBy() + ".");
            }
            boolean duplicate = ExceptionType.SUSPECTED_DUPLICATE.name().equals(exception.type());
            if (duplicate && action == null) {
                throw Problem.of(
                        Response.Status.BAD_REQUEST,
                        "A suspected duplicate is resolved with action CONFIRM or DISMISS.");
            }
            if (status.isTerminal()) {
                throw Problem.of(
                        Response.Status.CONFLICT,
                        "Invoice " + exception.invoiceId() + " is " + status
                                + ": its exceptions can no longer change anything.");
            }
            String text = duplicate ? action.name() + (resolution == null ? "" : ": " + resolution) : resolution;
            markResolved(sql, "id = ?", id, resolvedBy, text);
            if (vendorId != null && ExceptionType.UNKNOWN_VENDOR.name().equals(exception.type())) {
                linkVendor(connection, exception.invoiceId(), vendorId);
            }
            WorkflowStatus next = status;
            if (duplicate && action == Action.CONFIRM) {
                next = status.moveTo(WorkflowStatus.CONFIRMED_DUPLICATE);
                closeOpen(sql, exception.invoiceId(), resolvedBy, "closed: invoice confirmed as a duplicate");
            } else if (openExceptions(sql, exception.invoiceId()) == 0
                    && (status == WorkflowStatus.EXCEPTIONS_FOUND || status == WorkflowStatus.SUSPECTED_DUPLICATE)) {
                next = status.moveTo(WorkflowStatus.PENDING_APPROVAL);
            } else if (duplicate && status == WorkflowStatus.SUSPECTED_DUPLICATE) {
                next = status.moveTo(WorkflowStatus.EXCEPTIONS_FOUND);
            }
            if (next != status) {
                WorkflowMoves.set(sql, exception.invoiceId(), next);
            }
            audit.record(
                    connection,
                    "exception.resolve",
                    "exception " + id,
                    exception.type() + " of invoice " + exception.invoiceId() + ": " + text
                            + (next != status ? "; invoice now " + next : ""));
            return find(id).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Resolving exception " + id + " failed", e);
        }
    }

    /** Open exceptions of an invoice, in the caller's transaction (after the invoice row was locked). */
    public static int openExceptions(Sql sql, long invoiceId) {
        return sql.one(
                        "SELECT count(*) AS n FROM exceptions WHERE invoice_id = ? AND NOT resolved",
                        row -> row.intValue("n"),
                        invoiceId)
                .orElseThrow();
    }

    /** Closes every open exception of an invoice whose fate is decided (confirmed duplicate, rejected). */
    public static void closeOpen(Sql sql, long invoiceId, String by, String resolution) {
        markResolved(sql, "invoice_id = ? AND NOT resolved", invoiceId, by, resolution);
    }

    private static void markResolved(Sql sql, String where, long key, String by, String resolution) {
        sql.update(
                "UPDATE exceptions SET resolved = true, resolved_by = ?, resolution = ?, resolved_at = now() WHERE "
                        + where,
                by,
                resolution,
                key);
    }

    private static void linkVendor(Connection connection, long invoiceId, long vendorId) throws SQLException {
        try (var statement = connection.prepareStatement("UPDATE invoices SET vendor_id = ? WHERE id = ?")) {
            statement.setLong(1, vendorId);
            statement.setLong(2, invoiceId);
            statement.executeUpdate();
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) {
                throw Problem.of(Response.Status.BAD_REQUEST, "No vendor " + vendorId + ".");
            }
            throw e;
        }
    }

    private static List<Record> records(ResultSet rows) throws SQLException {
        try (rows) {
            List<Record> result = new ArrayList<>();
            while (rows.next()) {
                result.add(new Record(
                        rows.getLong(1),
                        rows.getLong(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getBoolean(5),
                        rows.getString(6),
                        rows.getString(7),
                        rows.getObject(8, OffsetDateTime.class),
                        rows.getObject(9, OffsetDateTime.class)));
            }
            return result;
        }
    }
}
