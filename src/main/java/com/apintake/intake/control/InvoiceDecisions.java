package com.apintake.intake.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A person's approval or rejection of an invoice, with the invoice row locked so two clicks cannot both win. */
@ApplicationScoped
public class InvoiceDecisions {

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    AuditTrail audit;

    /** Only an invoice with no open exception; it is staged for the next export batch at once. */
    @Transactional
    public void approve(long id, String by) {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            WorkflowStatus status = WorkflowMoves.lock(connection, id);
            int open = ExceptionRecords.openExceptions(connection, id);
            if (open > 0) {
                throw new HeldByExceptionsException(id, open);
            }
            WorkflowStatus staged = status.moveTo(WorkflowStatus.APPROVED).moveTo(WorkflowStatus.STAGED);
            try (var insert = connection.prepareStatement("INSERT INTO staged_exports (invoice_id) VALUES (?)")) {
                insert.setLong(1, id);
                insert.executeUpdate();
            }
            WorkflowMoves.set(connection, id, staged);
            decided(connection, id, by);
            audit.record(connection, "invoice.approve", "invoice " + id, "staged for export");
        } catch (SQLException e) {
            throw new IllegalStateException("Approving invoice " + id + " failed", e);
        }
    }

    @Transactional
    public void reject(long id, String by, String reason) {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            WorkflowStatus rejected = WorkflowMoves.lock(connection, id).moveTo(WorkflowStatus.REJECTED);
            WorkflowMoves.set(connection, id, rejected);
            decided(connection, id, by);
            audit.record(connection, "invoice.reject", "invoice " + id, reason);
            ExceptionRecords.closeOpen(
                    connection, id, by, "closed: invoice rejected" + (reason == null ? "" : " (" + reason + ")"));
        } catch (SQLException e) {
            throw new IllegalStateException("Rejecting invoice " + id + " failed", e);
        }
    }

    /** Who approved or rejected, on the invoice row itself. */
    private static void decided(Connection connection, long id, String by) throws SQLException {
        try (var statement =
                connection.prepareStatement("UPDATE invoices SET decided_by = ?, decided_at = now() WHERE id = ?")) {
            statement.setString(1, by);
            statement.setLong(2, id);
            statement.executeUpdate();
        }
    }
}
