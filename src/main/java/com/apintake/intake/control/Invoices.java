package com.apintake.intake.control;

import com.apintake.extraction.entity.Format;
import com.apintake.intake.entity.InvoiceView;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.control.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads invoices. Every list is in a stable order (newest first, id as tie-breaker) with keyset paging. */
@ApplicationScoped
@Transactional
public class Invoices {

    static final String COLUMNS = """
            i.id, i.file_hash, i.original_filename, i.content_type, i.size_bytes, i.status, i.workflow_status,
            i.vendor_id, i.invoice_number, i.type_code, i.issue_date, i.due_date, i.currency, i.total_net,
            i.total_vat, i.total_gross, i.amount_due, i.duplicate_of,
            (SELECT count(*) FROM exceptions e WHERE e.invoice_id = i.id AND NOT e.resolved)::int AS open_exceptions,
            i.created_at, i.updated_at""";

    /** Filters of the invoice list; null means "any". afterId is the keyset cursor: the last invoice of the previous page. */
    public record Query(
            WorkflowStatus workflowStatus,
            Long vendorId,
            OffsetDateTime from,
            OffsetDateTime to,
            Long afterId,
            int limit) {}

    @Inject
    Sql sql;

    @Inject
    com.apintake.platform.control.ReadSource reads;

    public Optional<InvoiceView> find(long id) {
        return sql.one("SELECT " + COLUMNS + " FROM invoices i WHERE i.id = ?", Invoices::view, id);
    }

    /** Served by idx_invoices_file_hash_created (an index-only probe). */
    public Optional<InvoiceView> findByHash(String fileHash) {
        return sql.one("SELECT " + COLUMNS + " FROM invoices i WHERE i.file_hash = ?", Invoices::view, fileHash);
    }

    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<InvoiceView> list(Query query) {
        StringBuilder text = new StringBuilder("SELECT " + COLUMNS + " FROM invoices i WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (query.workflowStatus() != null) {
            text.append(" AND i.workflow_status = ?");
            parameters.add(query.workflowStatus().name());
        }
        if (query.vendorId() != null) {
            text.append(" AND i.vendor_id = ?");
            parameters.add(query.vendorId());
        }
        if (query.from() != null) {
            text.append(" AND i.created_at >= ?");
            parameters.add(query.from());
        }
        if (query.to() != null) {
            text.append(" AND i.created_at < ?");
            parameters.add(query.to());
        }
        if (query.afterId() != null) {
            text.append(" AND (i.created_at, i.id) < (SELECT created_at, id FROM invoices WHERE id = ?)");
            parameters.add(query.afterId());
        }
        text.append(" ORDER BY i.created_at DESC, i.id DESC LIMIT ?");
        parameters.add(query.limit());
        // The list may be a few seconds behind: it reads the replica when one is in sync (ReadSource), in a
        // read-only transaction of its own on that connection (this method joins no JTA transaction).
        try {
            return reads.read(
                    connection -> sql.queryOn(connection, text.toString(), Invoices::view, parameters.toArray()));
        } catch (SQLException e) {
            throw new IllegalStateException("Listing invoices failed", e);
        }
    }

    /** contentType is what the server detected (application/xml or application/pdf), never what the uploader declared. */
    public record Document(String contentType, String filename, byte[] content) {}

    public Optional<Document> document(long id) {
        return sql.one(
                """
                SELECT (SELECT e.format FROM invoice_extractions e WHERE e.invoice_id = i.id ORDER BY e.id DESC LIMIT 1)
                           AS format,
                       i.content_type, i.original_filename, d.content
                FROM invoices i JOIN invoice_documents d ON d.invoice_id = i.id WHERE i.id = ?""",
                row -> new Document(
                        servedType(row.string("format"), row.string("content_type")),
                        row.string("original_filename"),
                        row.bytes("content")),
                id);
    }

    /**
     * What a document is served as: the format the extraction detected; before a worker has read an
     * asynchronous upload, the XML or PDF type the upload was accepted as (from an allow-list); else bytes.
     */
    private static String servedType(String format, String stored) {
        if (format != null) {
            return Format.valueOf(format).mediaType();
        }
        return "application/xml".equals(stored) || "application/pdf".equals(stored)
                ? stored
                : "application/octet-stream";
    }

    static InvoiceView view(Sql.Row row) throws SQLException {
        return new InvoiceView(
                row.longValue("id"),
                row.string("file_hash"),
                row.string("original_filename"),
                row.string("content_type"),
                row.longValue("size_bytes"),
                row.string("status"),
                WorkflowStatus.valueOf(row.string("workflow_status")),
                row.nullableLong("vendor_id"),
                row.string("invoice_number"),
                row.string("type_code"),
                row.date("issue_date"),
                row.date("due_date"),
                row.string("currency"),
                row.decimal("total_net"),
                row.decimal("total_vat"),
                row.decimal("total_gross"),
                row.decimal("amount_due"),
                row.nullableLong("duplicate_of"),
                row.intValue("open_exceptions"),
                row.timestamp("created_at"),
                row.timestamp("updated_at"));
    }
}
