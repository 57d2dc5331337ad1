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
}
