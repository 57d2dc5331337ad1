package com.apintake.intake.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.intake.entity.Invoice;
import com.apintake.intake.entity.InvoiceView;
import com.apintake.platform.control.Sql;
import com.apintake.security.control.Caller;
import com.apintake.validation.control.ValidationRecords;
import com.apintake.validation.entity.Finding;
import com.apintake.vendors.control.VendorMatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The storing transaction of a new invoice, at the database's speed: everything is decided before
 * anything is written, then each table gets one statement. Round trips to PostgreSQL: caller scope,
 * vendor match (with bank check and the duplicate lock), earlier duplicate, invoice + document +
 * extraction, validations, exceptions, audit entry, commit: eight at most, fewer when a step does not
 * apply. Nothing is read back: the answer is built from what was decided.
 */
@ApplicationScoped
public class Registration {

    /** view is null when the same file was stored first by a concurrent upload (nothing was written). */
    public record Registered(InvoiceView view, Invoice invoice) {
        public boolean created() {
            return view != null;
        }
    }

    @Inject
    Sql sql;

    @Inject
    InvoiceStore store;

    @Inject
    IntakeQueue queue;

    @Inject
    ValidationRecords validations;

    @Inject
    ExceptionRecords exceptions;

    @Inject
    AuditTrail audit;

    @Inject
    Caller caller;

    @Inject
    @ConfigProperty(name = "apintake.validation.min-confidence", defaultValue = "0.8")
    double minConfidence;

    /** standard: the EN 16931 findings, judged before the transaction. */
    @Transactional
    public Registered register(Invoice invoice, byte[] content, List<Finding> standard) {
        decide(invoice, standard);
        Optional<InvoiceStore.Saved> saved = store.save(sql, invoice, content, caller.name());
        if (saved.isEmpty()) {
            return new Registered(null, invoice);
        }
        long id = saved.get().id();
        validations.record(sql, id, invoice.findings());
        exceptions.raise(
                sql,
                id,
                invoice.raised().stream()
                        .map(r -> new ExceptionRecords.Raise(r.type(), r.detail()))
                        .toList());
        audit.record(
                sql,
                "invoice.upload",
                "invoice " + id,
                "file " + invoice.filename() + ", sha256 " + invoice.fileHash());
        return new Registered(
                invoice.view(id, saved.get().createdAt(), saved.get().updatedAt()), invoice);
    }

    /**
     * Stores a file for the queue: the invoice as RECEIVED, its document and its job. Round trips:
     * scope, one statement, audit, commit. view is null when the same file was stored first.
     */
    @Transactional
    public InvoiceView accept(String fileHash, String filename, String contentType, byte[] content) {
        Optional<InvoiceStore.Saved> saved =
                store.enqueue(sql, fileHash, filename, contentType, content, caller.name());
        if (saved.isEmpty()) {
            return null;
        }
        long id = saved.get().id();
        audit.record(sql, "invoice.upload", "invoice " + id, "file " + filename + ", sha256 " + fileHash + ", queued");
        return received(saved.get(), fileHash, filename, contentType, content.length);
    }

    /**
     * {@link #accept} for a group of files of one caller, in one transaction: scope, one statement for
     * every invoice, document and job, one for the audit entries, commit. The files have distinct
     * hashes; the answer holds a view for each file that was new, by hash (absent: stored before).
     */
    @Transactional
    public Map<String, InvoiceView> acceptAll(List<InvoiceStore.Received> files) {
        Map<String, InvoiceStore.Saved> saved = store.enqueueAll(sql, files, caller.name());
        Map<String, InvoiceView> views = new HashMap<>();
        List<String> subjects = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (InvoiceStore.Received file : files) {
            InvoiceStore.Saved row = saved.get(file.fileHash());
            if (row != null) {
                subjects.add("invoice " + row.id());
                details.add("file " + file.filename() + ", sha256 " + file.fileHash() + ", queued");
                views.put(
                        file.fileHash(),
                        received(row, file.fileHash(), file.filename(), file.contentType(), file.content().length));
            }
        }
        audit.recordAll(sql, "invoice.upload", subjects, details);
        return views;
    }

    /** Thrown when a worker's lease on a job expired and another worker took it: roll back, do nothing. */
    public static class LeaseLost extends RuntimeException {
        public LeaseLost(long jobId) {
            super("The lease on intake job " + jobId + " expired and the job was taken by another worker");
        }
    }

    /**
     * The finishing transaction of a queued invoice: claims the end of the job (or rolls back when the
     * lease was lost), decides as the synchronous path does and writes the result. False when the
     * invoice had left RECEIVED already (nothing written but the job's removal).
     */
    @Transactional
    public boolean complete(IntakeQueue.Job job, Invoice invoice, List<Finding> standard) {
        if (!queue.finish(sql, job)) {
            throw new LeaseLost(job.id());
        }
        if (invoice.extraction() != null) {
            decide(invoice, standard);
        }
        Optional<InvoiceStore.Saved> saved = store.complete(sql, job.invoiceId(), invoice);
        if (saved.isEmpty()) {
            return false;
        }
        long id = job.invoiceId();
        validations.record(sql, id, invoice.findings());
        exceptions.raise(
                sql,
                id,
                invoice.raised().stream()
                        .map(r -> new ExceptionRecords.Raise(r.type(), r.detail()))
                        .toList());
        audit.record(sql, "invoice.extract", "invoice " + id, "attempt " + job.attempt() + ", " + invoice.status());
        return true;
    }

    /** The AP rules on what the database knows (vendor master, earlier invoices), then the invoice's own moves. */
    private void decide(Invoice invoice, List<Finding> standard) {
        if (invoice.extraction().needsManualEntry()) {
            invoice.judge(standard, List.of(), null, null);
            return;
        }
        var data = invoice.data();
        String iban = ApRules.normalizeIban(data.sellerIban());
        Optional<VendorMatch.Identified> vendor = VendorMatch.identify(sql, data, iban);
        List<Finding> ours = new ArrayList<>();
        ours.add(ApRules.vendorMatch(vendor, data));
        Long vendorId = null;
        Optional<Long> earlier = Optional.empty();
        if (vendor.isPresent()) {
            vendorId = vendor.get().vendorId();
            ours.add(ApRules.bankAccount(iban, vendor.get().bank()));
            earlier = DuplicateCheck.earlier(sql, vendorId, data);
            ours.add(ApRules.duplicate(earlier));
        }
        ours.add(ApRules.confidence(invoice.overallConfidence(), minConfidence));
        invoice.judge(standard, ours, vendorId, earlier.orElse(null));
    }

    /** The answer of a 202: the stored invoice as RECEIVED, nothing extracted yet. */
    private static InvoiceView received(
            InvoiceStore.Saved saved, String fileHash, String filename, String contentType, long sizeBytes) {
        return new InvoiceView(
                saved.id(),
                fileHash,
                filename,
                contentType,
                sizeBytes,
                "RECEIVED",
                com.apintake.intake.entity.WorkflowStatus.RECEIVED,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                0,
                saved.createdAt(),
                saved.updatedAt());
    }
}
