package com.apintake.intake.control;

import com.apintake.intake.entity.Invoice;
import com.apintake.platform.control.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

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

    /**
     * What intake decides about an invoice, as column = placeholder, in the order of {@link #decided}: the
     * one list the first save and the worker's completion both write.
     */
    static final String[][] DECIDED_COLUMNS = {
        {"invoice_number", "?"},
        {"type_code", "?"},
        {"issue_date", "?::date"},
        {"due_date", "?::date"},
        {"currency", "?"},
        {"total_net", "?"},
        {"total_vat", "?"},
        {"total_gross", "?"},
        {"amount_due", "?"},
        {"status", "?"},
        {"workflow_status", "?"},
        {"vendor_id", "?::bigint"},
        {"duplicate_of", "?::bigint"}
    };

    private static String decidedColumns() {
        return Arrays.stream(DECIDED_COLUMNS).map(c -> c[0]).collect(Collectors.joining(", "));
    }

    private static String decidedPlaceholders() {
        return Arrays.stream(DECIDED_COLUMNS).map(c -> c[1]).collect(Collectors.joining(", "));
    }

    private static String decidedAssignments() {
        return Arrays.stream(DECIDED_COLUMNS).map(c -> c[0] + " = " + c[1]).collect(Collectors.joining(", "));
    }

    /** The extraction row of the invoice the CTE "invoice" returned: format, fields, confidence. */
    private static final String EXTRACTION = """
            extraction AS (
                INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json)
                SELECT id, ?, ?::jsonb, ?::jsonb FROM invoice""";

    static final String SAVE = """
            WITH invoice AS (
                INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, %s, uploaded_by)
                VALUES (?, ?, ?, ?, %s, ?)
                ON CONFLICT (file_hash) DO NOTHING
                RETURNING id, created_at, updated_at),
            document AS (
                INSERT INTO invoice_documents (invoice_id, content) SELECT id, ? FROM invoice),
            %s)
            SELECT id, created_at, updated_at FROM invoice""".formatted(decidedColumns(), decidedPlaceholders(), EXTRACTION);

    /** Empty when the same file was saved first by someone else (then nothing was written). */
    public Optional<Saved> save(Sql sql, Invoice invoice, byte[] content, String uploadedBy) {
        List<Object> parameters = new ArrayList<>(
                Arrays.asList(invoice.fileHash(), invoice.filename(), invoice.contentType(), invoice.sizeBytes()));
        parameters.addAll(decided(invoice));
        parameters.add(uploadedBy);
        parameters.add(content);
        parameters.addAll(extraction(invoice));
        return sql.one(SAVE, InvoiceStore::saved, parameters.toArray());
    }

    /** The values of {@link #DECIDED_COLUMNS}, in its order; null fields for a file nothing was read from. */
    static List<Object> decided(Invoice invoice) {
        var data = invoice.data();
        return Arrays.asList(
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
                invoice.duplicateOf());
    }

    /** Format, fields and confidence of {@link #EXTRACTION}; format null when nothing could be read. */
    private static List<Object> extraction(Invoice invoice) {
        var extraction = invoice.extraction();
        return extraction == null
                ? Arrays.asList(null, "{}", "{\"overall\": 0}")
                : List.of(
                        extraction.format().name(),
                        extraction.fieldsJson().toString(),
                        extraction.confidenceJson().toString());
    }

    private static Saved saved(Sql.Row row) throws java.sql.SQLException {
        return new Saved(row.longValue("id"), row.timestamp("created_at"), row.timestamp("updated_at"));
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
                InvoiceStore::saved,
                fileHash,
                filename,
                contentType,
                (long) content.length,
                uploadedBy,
                content);
    }

    static final String ENQUEUE_ALL = """
            WITH input AS (
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bytea[])
                    WITH ORDINALITY AS t(file_hash, filename, content_type, size_bytes, content, n)),
            invoice AS (
                INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, status, workflow_status,
                                      uploaded_by)
                SELECT file_hash, filename, content_type, size_bytes, 'RECEIVED', 'RECEIVED', ? FROM input ORDER BY n
                ON CONFLICT (file_hash) DO NOTHING
                RETURNING id, file_hash, created_at, updated_at),
            document AS (
                INSERT INTO invoice_documents (invoice_id, content)
                SELECT invoice.id, input.content FROM invoice JOIN input USING (file_hash)),
            job AS (
                INSERT INTO intake_jobs (invoice_id) SELECT id FROM invoice ORDER BY id)
            SELECT id, file_hash, created_at, updated_at FROM invoice""";

    /** One received file of a group commit (see GroupCommit). */
    public record Received(String fileHash, String filename, String contentType, byte[] content) {}

    /**
     * {@link #enqueue} for several files in one statement: every file, its document and its job. The files
     * must have distinct hashes (a batch decides equal files before it comes here). The answer holds the
     * files that were new, by hash; a file missing from it was stored before (nothing of it was written).
     */
    public java.util.Map<String, Saved> enqueueAll(Sql sql, List<Received> files, String uploadedBy) {
        byte[][] contents = new byte[files.size()][];
        for (int i = 0; i < contents.length; i++) {
            contents[i] = files.get(i).content();
        }
        java.util.Map<String, Saved> saved = new java.util.HashMap<>();
        sql.query(
                        ENQUEUE_ALL,
                        row -> java.util.Map.entry(row.string("file_hash"), saved(row)),
                        Sql.array("text", files.stream().map(Received::fileHash).toList()),
                        Sql.array("text", files.stream().map(Received::filename).toList()),
                        Sql.array(
                                "text",
                                files.stream().map(Received::contentType).toList()),
                        Sql.array(
                                "bigint",
                                files.stream()
                                        .map(f -> (long) f.content().length)
                                        .toList()),
                        new Sql.Array("bytea", contents),
                        uploadedBy)
                .forEach(e -> saved.put(e.getKey(), e.getValue()));
        return saved;
    }

    static final String COMPLETE = """
            WITH invoice AS (
                UPDATE invoices SET %s, updated_at = now()
                WHERE id = ? AND workflow_status = 'RECEIVED'
                RETURNING id, created_at, updated_at),
            %s WHERE ?::text IS NOT NULL)
            SELECT id, created_at, updated_at FROM invoice""".formatted(decidedAssignments(), EXTRACTION);

    /**
     * Writes what the worker decided about a queued invoice: fields, final state, vendor, duplicate
     * link and extraction (none for an unreadable file), in one statement. Empty when the invoice is no
     * longer RECEIVED.
     */
    public Optional<Saved> complete(Sql sql, long id, Invoice invoice) {
        List<Object> parameters = new ArrayList<>(decided(invoice));
        parameters.add(id);
        List<Object> extraction = extraction(invoice);
        parameters.addAll(extraction);
        parameters.add(extraction.get(0));
        return sql.one(COMPLETE, InvoiceStore::saved, parameters.toArray());
    }
}
