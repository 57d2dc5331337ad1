package com.apintake.intake.control;

import com.apintake.intake.entity.WorkflowStatus;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The invoice row as the unit of workflow changes: lock it, read its state, write the next one.
 * Every move (approval, rejection, resolving an exception) locks the invoice row first, so two
 * people acting at once are serialised and the second sees the first one's result.
 */
public final class WorkflowMoves {

    private WorkflowMoves() {}

    /** Locks the invoice for this transaction and answers its current state; 404 when there is none. */
    public static WorkflowStatus lock(Connection connection, long invoiceId) throws SQLException {
        try (var statement =
                connection.prepareStatement("SELECT workflow_status FROM invoices WHERE id = ? FOR UPDATE")) {
            statement.setLong(1, invoiceId);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new NoSuchInvoiceException(invoiceId);
                }
                return WorkflowStatus.valueOf(rows.getString(1));
            }
        }
    }

    public static void set(Connection connection, long invoiceId, WorkflowStatus status) throws SQLException {
        try (var statement = connection.prepareStatement(
                "UPDATE invoices SET workflow_status = ?, updated_at = now() WHERE id = ?")) {
            statement.setString(1, status.name());
            statement.setLong(2, invoiceId);
            statement.executeUpdate();
        }
    }
}
