package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.TestEnvironment;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator's bulk path on a database of its own in the test server (schema applied by Liquibase, as
 * `mvn liquibase:update` does): the indexes it sets aside come back exactly as Liquibase made them, every
 * child row has its invoice although the foreign-key triggers were off, the server settings it changed
 * for the load are back, the rollup lock is released; a second run on the now filled tables takes the
 * ordinary path.
 */
class DataGeneratorIT {

    private static final String DATABASE = "generator_it";

    @BeforeAll
    static void schema() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.createDatabaseIfMissing(DATABASE);
        Schema.apply(
                Path.of(System.getProperty("apintake.basedir")),
                "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + DATABASE,
                TestEnvironment.USER,
                null);
    }

    @Test
    void aBulkLoadPutsBackEveryIndexConstraintAndSetting() throws Exception {
        var postgres = TestEnvironment.postgres();
        try (Connection connection = postgres.connect(DATABASE)) {
            connection.setAutoCommit(true);
            String walSize = single(connection, "SHOW max_wal_size");
            String checkpoints = single(connection, "SHOW checkpoint_timeout");
            String archiveCommand = single(connection, "SHOW archive_command");

            DataGenerator.load(
                    connection,
                    () -> postgres.connect(DATABASE),
                    3_000,
                    // ARCHIVE=keep: a paused archive would leave a gap other tests' point-in-time recovery may cross.
                    new DataGenerator.Options(true, 2, false, "2GB"),
                    Instant.now());
            List<String> afterBulk = rows(connection, BulkLoad.ALL_INDEXES);

            assertThat(single(connection, "SELECT count(*) FROM invoices")).isEqualTo("3000");
            assertThat(single(connection, "SELECT count(*) FROM invoice_extractions"))
                    .isEqualTo("3000");
            assertThat(single(connection, "SELECT count(*) FROM validations")).isEqualTo("12000");
            for (String child : List.of("invoice_extractions", "validations", "exceptions", "staged_exports")) {
                assertThat(single(
                                connection,
                                "SELECT count(*) FROM " + child + " c WHERE NOT EXISTS"
                                        + " (SELECT 1 FROM invoices i WHERE i.id = c.invoice_id)"))
                        .as("%s rows without their invoice", child)
                        .isEqualTo("0");
            }
            for (String index : List.of(
                    "idx_invoices_file_hash_created",
                    "idx_invoices_workflow_status_created",
                    "idx_exceptions_resolved_created",
                    "idx_invoices_vendor_created_status",
                    "idx_extractions_created_confidence",
                    "idx_validations_passed_created",
                    "idx_staged_exports_status_created")) {
                assertThat(afterBulk).anyMatch(line -> line.startsWith(index + ": "));
            }
            assertThat(afterBulk).noneMatch(line -> line.endsWith("(INVALID)"));
            assertThat(afterBulk)
                    .as("a partition's index carries the partitioned index's name")
                    .anyMatch(line -> line.matches("idx_validations_passed_created_p\\d{4}_\\d{2}: .*"));
            connection.createStatement().execute("SELECT pg_reload_conf()");
            Thread.sleep(300);
            assertThat(single(connection, "SHOW max_wal_size")).isEqualTo(walSize);
            assertThat(single(connection, "SHOW checkpoint_timeout")).isEqualTo(checkpoints);
            assertThat(single(connection, "SHOW archive_command")).isEqualTo(archiveCommand);
            try (Connection other = postgres.connect(DATABASE)) {
                assertThat(single(other, "SELECT pg_try_advisory_xact_lock(hashtext('apintake.analytics.rollups'))"))
                        .as("the rollup lock is free again")
                        .isEqualTo("t");
            }
            assertThat(single(
                            connection,
                            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'invoices'"
                                    + " AND last_analyze IS NULL AND last_autoanalyze IS NULL"))
                    .as("invoices analyzed")
                    .isEqualTo("0");

            DataGenerator.load(
                    connection,
                    () -> postgres.connect(DATABASE),
                    1_000,
                    new DataGenerator.Options(true, 2, false, "2GB"),
                    Instant.now());
            assertThat(single(connection, "SELECT count(*) FROM invoices")).isEqualTo("4000");
            assertThat(rows(connection, BulkLoad.ALL_INDEXES)).isEqualTo(afterBulk);
        }
    }

    /** The path SchemaIT and the benchmark harness use: inside the caller's transaction, indexes in place. */
    @Test
    void generatingInTheCallersTransactionKeepsEverythingInPlaceAndRollsBack() throws Exception {
        try (Connection connection = TestEnvironment.postgres().connect(DATABASE)) {
            connection.setAutoCommit(true);
            List<String> indexes = rows(connection, BulkLoad.ALL_INDEXES);
            long invoicesBefore = Long.parseLong(single(connection, "SELECT count(*) FROM invoices"));
            connection.setAutoCommit(false);
            new ApHistory(connection, 1_000).generateInTransaction(2_500);
            assertThat(Long.parseLong(single(connection, "SELECT count(*) FROM invoices")) - invoicesBefore)
                    .isEqualTo(2_500);
            assertThat(rows(connection, BulkLoad.ALL_INDEXES)).isEqualTo(indexes);
            connection.rollback();
            connection.setAutoCommit(true);
            assertThat(Long.parseLong(single(connection, "SELECT count(*) FROM invoices")))
                    .isEqualTo(invoicesBefore);
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static List<String> rows(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (var rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
