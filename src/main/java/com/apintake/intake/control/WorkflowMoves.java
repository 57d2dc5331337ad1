package com.apintake.intake.control;

import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.control.Sql;

/**
 * The invoice row as the unit of workflow changes: lock it, read its state, write the next one.
 * Every move (approval, rejection, resolving an exception) locks the invoice row first, so two
 * people acting at once are serialised and the second sees the first one's result.
 */
public final class WorkflowMoves {

    private WorkflowMoves() {}

    /** Locks the invoice for the caller's transaction and answers its current state; 404 when there is none. */
    public static WorkflowStatus lock(Sql sql, long invoiceId) {
        return sql.one(
                        "SELECT workflow_status FROM invoices WHERE id = ? FOR UPDATE",
                        row -> WorkflowStatus.valueOf(row.string("workflow_status")),
                        invoiceId)
                .orElseThrow(() -> new NoSuchInvoiceException(invoiceId));
    }

    public static void set(Sql sql, long invoiceId, WorkflowStatus status) {
        sql.update("UPDATE invoices SET workflow_status = ?, updated_at = now() WHERE id = ?", status, invoiceId);
    }
}
