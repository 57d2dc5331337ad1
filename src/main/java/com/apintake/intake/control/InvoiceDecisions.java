package com.apintake.intake.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.control.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** A person's approval or rejection of an invoice, with the invoice row locked so two clicks cannot both win. */
@ApplicationScoped
public class InvoiceDecisions {

    @Inject
    Sql sql;

    @Inject
    AuditTrail audit;

    /** Only an invoice with no open exception; it is staged for the next export batch at once. */
    @Transactional
    public void approve(long id, String by) {
        WorkflowStatus status = WorkflowMoves.lock(sql, id);
        int open = ExceptionRecords.openExceptions(sql, id);
        if (open > 0) {
            throw new HeldByExceptionsException(id, open);
        }
        WorkflowStatus staged = status.moveTo(WorkflowStatus.APPROVED).moveTo(WorkflowStatus.STAGED);
        sql.update("INSERT INTO staged_exports (invoice_id) VALUES (?)", id);
        WorkflowMoves.set(sql, id, staged);
        decided(id, by);
        audit.record(sql, "invoice.approve", "invoice " + id, "staged for export");
    }

    @Transactional
    public void reject(long id, String by, String reason) {
        WorkflowStatus rejected = WorkflowMoves.lock(sql, id).moveTo(WorkflowStatus.REJECTED);
        WorkflowMoves.set(sql, id, rejected);
        decided(id, by);
        audit.record(sql, "invoice.reject", "invoice " + id, reason);
        ExceptionRecords.closeOpen(
                sql, id, by, "closed: invoice rejected" + (reason == null ? "" : " (" + reason + ")"));
    }

    /** Who approved or rejected, on the invoice row itself. */
    private void decided(long id, String by) {
        sql.update("UPDATE invoices SET decided_by = ?, decided_at = now() WHERE id = ?", by, id);
    }
}
