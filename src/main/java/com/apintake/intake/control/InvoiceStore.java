package com.apintake.intake.control;

import com.apintake.intake.entity.Invoice;
import com.apintake.platform.control.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Saves a decided invoice: its row with the final workflow state, vendor and duplicate link, its
 * original document and its extraction, in one statement (data-modifying CTEs, one round trip).
 * The unique index on file_hash decides, inside the database, which of several concurrent uploads
 * of one file is the one: the others get nothing back and nothing of theirs is written.
 */
@ApplicationScoped
public class InvoiceStore {

    /** The saved row's key and timestamps, all the API needs besides what the invoice already knows. */
    public record Saved(long id, OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

    static final String SAVE = """
            WITH invoice AS (
                INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, invoice_number, type_code,
                                      issue_date, due_date, currency, total_net, total_vat, total_gross, amount_due,
                                      status, workflow_status, vendor_id, duplicate_of, uploaded_by)
                VALUES (?, ?, ?, ?, ?, ?, ?::date, ?::date, ?, ?, ?, ?, ?, ?, ?, ?::bigint, ?::bigint, ?)
                ON CONFLICT (file_hash) DO NOTHING
                RETURNING id, created_at, updated_at),
            document AS (
                INSERT INTO invoice_documents (invoice_id, content) SELECT id, ? FROM invoice),
            extraction AS (
                INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json)
                SELECT id, ?, ?::jsonb, ?::jsonb FROM invoice)
            SELECT id, created_at, updated_at FROM invoice""";

    /** Empty when the same file was saved first by someone else (then nothing was written). */
    public Optional<Saved> save(Sql sql, Invoice invoice, byte[] content, String uploadedBy) {
        var data = invoice.data();
        var extraction = invoice.extraction();
        return sql.one(
                SAVE,
                row -> new Saved(row.longValue("id"), row.timestamp("created_at"), row.timestamp("updated_at")),
                invoice.fileHash(),
                invoice.filename(),
                invoice.contentType(),
                invoice.sizeBytes(),
                data == null ? null : data.invoiceNumber(),
                data == null ? null : data.typeCode(),
                data == null ? null : data.issueDate(),
                data == null ? null : data.dueDate(),
                invoice.currency(),
                data == null ? null : data.totalWithoutVat(),
                data == null ? null : data.totalVat(),
                data == null ? null : data.totalWithVat(),
                data == null ? null : data.amountDue(),
                invoice.processing(),
                invoice.status(),
                invoice.vendorId(),
                invoice.duplicateOf(),
                uploadedBy,
                content,
                extraction.format().name(),
                extraction.fieldsJson().toString(),
                extraction.confidenceJson().toString());
    }

    static final String ENQUEUE = """
            WITH invoice AS (
                INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, status, workflow_status,
                                      uploaded_by)
                VALUES (?, ?, ?, ?, 'RECEIVED', 'RECEIVED', ?)
                ON CONFLICT (file_hash) DO NOTHING
                RETURNING id, created_at, updated_at),
            document AS (
                INSERT INTO invoice_documents (invoice_id, content) SELECT id, ? FROM invoice),
            job AS (
                INSERT INTO intake_jobs (invoice_id) SELECT id FROM invoice)
            SELECT id, created_at, updated_at FROM invoice""";

    /**
     * Saves a received file (RECEIVED, nothing extracted yet) with its document and its job in the
     * intake queue, in one statement. Empty when the same file was saved first by someone else.
     */
    public Optional<Saved> enqueue(
            Sql sql, String fileHash, String filename, String contentType, byte[] content, String uploadedBy) {
        return sql.one(
                ENQUEUE,
                row -> new Saved(row.longValue("id"), row.timestamp("created_at"), row.timestamp("updated_at")),
                fileHash,
                filename,
                contentType,
                (long) content.length,
                uploadedBy,
                content);
    }

    static final String COMPLETE = """
            WITH invoice AS (
                UPDATE invoices SET invoice_number = ?, type_code = ?, issue_date = ?::date, due_date = ?::date,
                                    currency = ?, total_net = ?, total_vat = ?, total_gross = ?, amount_due = ?,
                                    status = ?, workflow_status = ?, vendor_id = ?::bigint, duplicate_of = ?::bigint,
                                    updated_at = now()
                WHERE id = ? AND workflow_status = 'RECEIVED'
                RETURNING id, created_at, updated_at),
            extraction AS (
                INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json)
                SELECT id, ?, ?::jsonb, ?::jsonb FROM invoice WHERE ?::text IS NOT NULL)
            SELECT id, created_at, updated_at FROM invoice""";

    /**
     * Writes what the worker decided about a queued invoice: fields, final state, vendor, duplicate
     * link and extraction (none for an unreadable file), in one statement. Empty when the invoice is no
     * longer RECEIVED.
     */
    public Optional<Saved> complete(Sql sql, long id, Invoice invoice) {
        var data = invoice.data();
        var extraction = invoice.extraction();
        String format = extraction == null ? null : extraction.format().name();
        return sql.one(
                COMPLETE,
                row -> new Saved(row.longValue("id"), row.timestamp("created_at"), row.timestamp("updated_at")),
                data == null ? null : data.invoiceNumber(),
                data == null ? null : data.typeCode(),
                data == null ? null : data.issueDate(),
                data == null ? null : data.dueDate(),
                invoice.currency(),
                data == null ? null : data.totalWithoutVat(),
                data == null ? null : data.totalVat(),
                data == null ? null : data.totalWithVat(),
                data == null ? null : data.amountDue(),
                invoice.processing(),
                invoice.status(),
                invoice.vendorId(),
                invoice.duplicateOf(),
                id,
                format,
                extraction == null ? "{}" : extraction.fieldsJson().toString(),
                extraction == null
                        ? "{\"overall\": 0}"
                        : extraction.confidenceJson().toString(),
                format);
    }
}
