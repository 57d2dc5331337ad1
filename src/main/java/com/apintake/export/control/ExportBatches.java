package com.apintake.export.control;

import com.apintake.platform.control.ReadSource;
import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The export batches written so far, newest first, with the invoices each holds. Batch ids start with
 * their UTC time (AP-yyyyMMddTHHmmssZ-...), so the newest batches are the highest ids: the query
 * walks the partial index on staged_exports(batch) backwards and reads only the rows of those batches.
 * (With IN (subquery) the planner joined against a sequential scan of all staged exports: 0.5 s at
 * 880 k rows; = ANY (ARRAY(...)) makes it a bitmap scan of that index.)
 */
@ApplicationScoped
public class ExportBatches {

    /** One batch: its id, when it was written and by whom, its invoices, and its two files. */
    public record Written(
            String id,
            OffsetDateTime exportedAt,
            String exportedBy,
            int invoices,
            List<Long> invoiceIds,
            String csvFile,
            String jsonFile) {}

    static final String RECENT = """
            SELECT s.batch, max(s.exported_at), max(s.exported_by), count(*), array_agg(s.invoice_id ORDER BY s.invoice_id)
            FROM staged_exports s
            WHERE s.batch = ANY (ARRAY(SELECT DISTINCT batch FROM staged_exports WHERE batch IS NOT NULL ORDER BY batch DESC LIMIT ?))
            GROUP BY s.batch
            ORDER BY s.batch DESC""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    ReadSource reads;

    @Inject
    @ConfigProperty(name = "apintake.export.dir", defaultValue = "${user.home}/ap-intake/exports")
    String exportDir;

    /**
     * A read-only list page: it reads the replica when one is in sync and has replayed the caller's own last
     * write, so a clerk who has just run an export sees its batch; batches the export timer wrote may be behind
     * by at most the replica's lag threshold. A read-only transaction of its own; joins no JTA transaction.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Written> recent(int limit) {
        try {
            return reads.read(connection -> recent(connection, limit));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the export batches failed", e);
        }
    }

    private List<Written> recent(Connection connection, int limit) throws SQLException {
        caller.scope(connection);
        try (var query = connection.prepareStatement(RECENT)) {
            query.setInt(1, limit);
            try (var rows = query.executeQuery()) {
                List<Written> batches = new ArrayList<>();
                while (rows.next()) {
                    String batch = rows.getString(1);
                    Path folder = Path.of(exportDir);
                    batches.add(new Written(
                            batch,
                            rows.getObject(2, OffsetDateTime.class),
                            rows.getString(3),
                            rows.getInt(4),
                            Arrays.asList((Long[]) rows.getArray(5).getArray()),
                            folder.resolve(batch + ".csv").toString(),
                            folder.resolve(batch + ".json").toString()));
                }
                return batches;
            }
        }
    }
}
