package com.apintake.intake.control;

import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.boundary.Problem;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A person's approval or rejection of an invoice, with the invoice row locked so two clicks cannot both win. */
@ApplicationScoped
public class InvoiceDecisions {

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    /** Only an invoice with no open exception; it is staged for the next export batch at once. */
    @Transactional
    public void approve(long id, String by) {
        try (Connection connection = dataSource.getConnection()) {
            WorkflowStatus status = lock(connection, id);
            int open = ExceptionRecords.openExceptions(connection, id);
            if (open > 0) {
                throw Problem.of(
                        Response.Status.CONFLICT,
                        "Invoice " + id + " has " + open + " open exception(s): resolve them before approving.");
            }
            WorkflowStatus staged = status.moveTo(WorkflowStatus.APPROVED).moveTo(WorkflowStatus.STAGED);
            try (var insert = connection.prepareStatement("INSERT INTO staged_exports (invoice_id) VALUES (?)")) {
                insert.setLong(1, id);
                insert.executeUpdate();
            }
            update(connection, id, staged);
        } catch (SQLException e) {
            throw new IllegalStateException("Approving invoice " + id + " failed", e);
        }
    }

    @Transactional
    public void reject(long id, String by, String reason) {
        try (Connection connection = dataSource.getConnection()) {
            WorkflowStatus rejected = lock(connection, id).moveTo(WorkflowStatus.REJECTED);
            update(connection, id, rejected);
            try (var close = connection.prepareStatement("""
                    UPDATE exceptions SET resolved = true, resolved_by = ?, resolution = ?, resolved_at = now()
                    WHERE invoice_id = ? AND NOT resolved""")) {
                close.setString(1, by);
                close.setString(2, "closed: invoice rejected" + (reason == null ? "" : " (" + reason + ")"));
                close.setLong(3, id);
                close.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Rejecting invoice " + id + " failed", e);
        }
    }

    private static WorkflowStatus lock(Connection connection, long id) throws SQLException {
        try (var statement =
                connection.prepareStatement("SELECT workflow_status FROM invoices WHERE id = ? FOR UPDATE")) {
            statement.setLong(1, id);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw Problem.of(Response.Status.NOT_FOUND, "No invoice " + id + ".");
                }
                return WorkflowStatus.valueOf(rows.getString(1));
            }
        }
    }

    private static void update(Connection connection, long id, WorkflowStatus status) throws SQLException {
        try (var statement = connection.prepareStatement(
                "UPDATE invoices SET workflow_status = ?, updated_at = now() WHERE id = ?")) {
            statement.setString(1, status.name());
            statement.setLong(2, id);
            statement.executeUpdate();
        }
    }
}
