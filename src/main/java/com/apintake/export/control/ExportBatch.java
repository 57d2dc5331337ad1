package com.apintake.export.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes the pending staged exports as one batch for the ERP: &lt;batch&gt;.csv and &lt;batch&gt;.json in
 * the export folder. Each file is written under a temporary name and renamed into place, so the ERP
 * never reads half a file; rows become EXPORTED only when the files are there and the transaction
 * commits. If the commit fails the files are removed again, so a batch exists exactly when its rows say so.
 *
 * <p>CSV columns: batch, invoice_id, invoice_number, vendor_id, vendor_name, vendor_vat_id,
 * issue_date, due_date, currency, total_net, total_vat, total_gross, amount_due, file_hash.
 */
@ApplicationScoped
public class ExportBatch {

    private static final Logger LOG = Logger.getLogger(ExportBatch.class.getName());
    static final List<String> COLUMNS = List.of(
            "batch",
            "invoice_id",
            "invoice_number",
            "vendor_id",
            "vendor_name",
            "vendor_vat_id",
            "issue_date",
            "due_date",
            "currency",
            "total_net",
            "total_vat",
            "total_gross",
            "amount_due",
            "file_hash");

    /** The batch written: its id, how many invoices, and the two files. */
    public record Batch(String id, int invoices, String csvFile, String jsonFile) {}

    static final String PENDING = """
            SELECT s.id, s.invoice_id, i.invoice_number, i.vendor_id, v.name, v.vat_id, i.issue_date, i.due_date,
                   i.currency, i.total_net, i.total_vat, i.total_gross, i.amount_due, i.file_hash
            FROM staged_exports s
            JOIN invoices i ON i.id = s.invoice_id
            LEFT JOIN vendors v ON v.id = i.vendor_id
            WHERE s.status = 'PENDING'
            ORDER BY s.created_at, s.id
            LIMIT ?
            FOR UPDATE OF s SKIP LOCKED""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    AuditTrail audit;

    @Resource
    TransactionSynchronizationRegistry transaction;

    @Inject
    @ConfigProperty(name = "apintake.export.dir", defaultValue = "${user.home}/ap-intake/exports")
    String exportDir;

    @Inject
    @ConfigProperty(name = "apintake.export.batch-size", defaultValue = "1000")
    int batchSize;

    private final SecureRandom random = new SecureRandom();

    /** Empty when nothing is pending. Rows locked by a concurrent run are skipped, not waited for. */
    @Transactional
    public Optional<Batch> run() {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            List<Object[]> rows = pending(connection);
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            String batch = "AP-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(OffsetDateTime.now(ZoneOffset.UTC))
                    + "-" + HexFormat.of().formatHex(random.generateSeed(3));
            Path folder = Files.createDirectories(Path.of(exportDir));
            Path csv = folder.resolve(batch + ".csv");
            Path json = folder.resolve(batch + ".json");
            removeOnRollback(csv, json);
            writeAtomically(csv, csv(batch, rows));
            writeAtomically(json, json(batch, rows));
            Long[] staged = rows.stream().map(r -> (Long) r[0]).toArray(Long[]::new);
            Long[] invoices = rows.stream().map(r -> (Long) r[1]).toArray(Long[]::new);
            try (var update = connection.prepareStatement(
                    "UPDATE staged_exports SET status = 'EXPORTED', batch = ?, exported_at = now(), exported_by = ? WHERE id = ANY (?)")) {
                update.setString(1, batch);
                update.setString(2, caller.name());
                update.setArray(3, connection.createArrayOf("bigint", staged));
                update.executeUpdate();
            }
            try (var update = connection.prepareStatement(
                    "UPDATE invoices SET workflow_status = 'EXPORTED', updated_at = now() WHERE id = ANY (?) AND workflow_status = 'STAGED'")) {
                update.setArray(1, connection.createArrayOf("bigint", invoices));
                update.executeUpdate();
            }
            audit.record(connection, "export.run", "batch " + batch, rows.size() + " invoices");
            LOG.info(() -> "Export batch " + batch + ": " + rows.size() + " invoices in " + folder);
            return Optional.of(new Batch(batch, rows.size(), csv.toString(), json.toString()));
        } catch (SQLException e) {
            throw new IllegalStateException("Export batch failed", e);
        } catch (IOException e) {
            throw new ExportFailed(
                    "Writing the export batch to " + exportDir + " failed ("
                            + e.getClass().getSimpleName() + "); the invoices stay PENDING for the next run.",
                    e);
        }
    }

    /** The batch files could not be written; nothing was marked exported. */
    public static class ExportFailed extends RuntimeException {
        public ExportFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private List<Object[]> pending(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(PENDING)) {
            statement.setInt(1, batchSize);
            try (var rows = statement.executeQuery()) {
                List<Object[]> result = new ArrayList<>();
                while (rows.next()) {
                    Object[] row = new Object[14];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rows.getObject(i + 1);
                    }
                    result.add(row);
                }
                return result;
            }
        }
    }

    static String csv(String batch, List<Object[]> rows) {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
        for (Object[] row : rows) {
            out.append(batch);
            for (int i = 1; i < row.length; i++) {
                out.append(',').append(csvField(row[i]));
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    static String csvField(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
        // Quote what CSV needs quoted, and neutralise spreadsheet formulas in text fields.
        if (text.matches("^[=+\\-@].*") && !(value instanceof Number)) {
            text = "'" + text;
        }
        return text.matches(".*[\",\r\n].*") || text.startsWith("'") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }

    static String json(String batch, List<Object[]> rows) {
        var invoices = Json.createArrayBuilder();
        for (Object[] row : rows) {
            JsonObjectBuilder invoice = Json.createObjectBuilder();
            for (int i = 1; i < row.length; i++) {
                Object value = row[i];
                String key = COLUMNS.get(i);
                if (value == null) {
                    invoice.addNull(key);
                } else if (value instanceof BigDecimal decimal) {
                    invoice.add(key, decimal.toPlainString());
                } else if (value instanceof Long number) {
                    invoice.add(key, number);
                } else {
                    invoice.add(key, value.toString());
                }
            }
            invoices.add(invoice);
        }
        return Json.createObjectBuilder()
                .add("batch", batch)
                .add("createdAt", OffsetDateTime.now(ZoneOffset.UTC).toString())
                .add("count", rows.size())
                .add("invoices", invoices)
                .build()
                .toString();
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private void removeOnRollback(Path... files) {
        transaction.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_COMMITTED) {
                    for (Path file : files) {
                        try {
                            Files.deleteIfExists(file);
                            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".tmp"));
                        } catch (IOException e) {
                            LOG.warning("Could not remove " + file + " of a rolled-back export batch: " + e);
                        }
                    }
                }
            }
        });
    }
}
