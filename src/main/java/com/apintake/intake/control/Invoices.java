package com.apintake.intake.control;

import com.apintake.extraction.entity.Format;
import com.apintake.intake.entity.InvoiceView;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

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

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    com.apintake.platform.control.ReadSource reads;

    public Optional<InvoiceView> find(long id) {
        return one("SELECT " + COLUMNS + " FROM invoices i WHERE i.id = ?", id);
    }

    /** Served by idx_invoices_file_hash_created (an index-only probe). */
    public Optional<InvoiceView> findByHash(String fileHash) {
        return one("SELECT " + COLUMNS + " FROM invoices i WHERE i.file_hash = ?", fileHash);
    }

    public List<InvoiceView> list(Query query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM invoices i WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (query.workflowStatus() != null) {
            sql.append(" AND i.workflow_status = ?");
            parameters.add(query.workflowStatus().name());
        }
        if (query.vendorId() != null) {
            sql.append(" AND i.vendor_id = ?");
            parameters.add(query.vendorId());
        }
        if (query.from() != null) {
            sql.append(" AND i.created_at >= ?");
            parameters.add(query.from());
        }
        if (query.to() != null) {
            sql.append(" AND i.created_at < ?");
            parameters.add(query.to());
        }
        if (query.afterId() != null) {
            sql.append(" AND (i.created_at, i.id) < (SELECT created_at, id FROM invoices WHERE id = ?)");
            parameters.add(query.afterId());
        }
        sql.append(" ORDER BY i.created_at DESC, i.id DESC LIMIT ?");
        parameters.add(query.limit());
        // The list may be a few seconds behind: it reads the replica when one is in sync (ReadSource).
        try (Connection connection = reads.connection();
                PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            caller.scope(connection);
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                List<InvoiceView> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(view(rows));
                }
                return result;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Listing invoices failed", e);
        }
    }

    /** contentType is what the server detected (application/xml or application/pdf), never what the uploader declared. */
    public record Document(String contentType, String filename, byte[] content) {}

    public Optional<Document> document(long id) {
        String sql = """
                SELECT (SELECT e.format FROM invoice_extractions e WHERE e.invoice_id = i.id ORDER BY e.id DESC LIMIT 1),
                       i.original_filename, d.content
                FROM invoices i JOIN invoice_documents d ON d.invoice_id = i.id WHERE i.id = ?""";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            caller.scope(connection);
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Document(
                                rows.getString(1) == null
                                        ? "application/octet-stream"
                                        : Format.valueOf(rows.getString(1)).mediaType(),
                                rows.getString(2),
                                rows.getBytes(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the document of invoice " + id + " failed", e);
        }
    }

    private Optional<InvoiceView> one(String sql, Object parameter) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            caller.scope(connection);
            statement.setObject(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(view(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading an invoice failed", e);
        }
    }

    static InvoiceView view(ResultSet rows) throws SQLException {
        return new InvoiceView(
                rows.getLong("id"),
                rows.getString("file_hash"),
                rows.getString("original_filename"),
                rows.getString("content_type"),
                rows.getLong("size_bytes"),
                rows.getString("status"),
                WorkflowStatus.valueOf(rows.getString("workflow_status")),
                rows.getObject("vendor_id", Long.class),
                rows.getString("invoice_number"),
                rows.getString("type_code"),
                rows.getObject("issue_date", LocalDate.class),
                rows.getObject("due_date", LocalDate.class),
                rows.getString("currency"),
                rows.getBigDecimal("total_net"),
                rows.getBigDecimal("total_vat"),
                rows.getBigDecimal("total_gross"),
                rows.getBigDecimal("amount_due"),
                rows.getObject("duplicate_of", Long.class),
                rows.getInt("open_exceptions"),
                rows.getObject("created_at", OffsetDateTime.class),
                rows.getObject("updated_at", OffsetDateTime.class));
    }
}
