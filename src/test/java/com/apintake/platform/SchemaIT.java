package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.TestEnvironment;
import com.apintake.tools.ApHistory;
import com.apintake.tools.IndexQueries;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schema the application applied at start-up, read back from PostgreSQL's catalogs. */
@ExtendWith(ArquillianExtension.class)
class SchemaIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    static final Map<String, String> SEVEN_INDEXES = Map.of(
            "idx_invoices_file_hash_created",
            "CREATE UNIQUE INDEX idx_invoices_file_hash_created ON public.invoices USING btree (file_hash) INCLUDE (created_at)",
            "idx_invoices_workflow_status_created",
            "CREATE INDEX idx_invoices_workflow_status_created ON public.invoices USING btree (workflow_status, created_at DESC)",
            "idx_exceptions_resolved_created",
            "CREATE INDEX idx_exceptions_resolved_created ON public.exceptions USING btree (resolved, created_at DESC)",
            "idx_invoices_vendor_created_status",
            "CREATE INDEX idx_invoices_vendor_created_status ON public.invoices USING btree (vendor_id, created_at, workflow_status)",
            "idx_extractions_created_confidence",
            "CREATE INDEX idx_extractions_created_confidence ON ONLY public.invoice_extractions USING btree (created_at, (((confidence_json ->> 'overall'::text))::double precision))",
            "idx_validations_passed_created",
            "CREATE INDEX idx_validations_passed_created ON ONLY public.validations USING btree (passed, created_at DESC)",
            "idx_staged_exports_status_created",
            "CREATE INDEX idx_staged_exports_status_created ON public.staged_exports USING btree (status, created_at)");

    @Test
    void theSevenIndexesExistWithTheirDefinitionsAndAreValid() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.prepareStatement("""
                        SELECT c.relname, pg_get_indexdef(c.oid), i.indisvalid, i.indisready
                        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE c.relname = ANY (?)""")) {
            statement.setArray(
                    1, connection.createArrayOf("text", SEVEN_INDEXES.keySet().toArray()));
            Map<String, String> found = new LinkedHashMap<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    assertThat(rows.getBoolean(3))
                            .as(rows.getString(1) + " valid")
                            .isTrue();
                    assertThat(rows.getBoolean(4))
                            .as(rows.getString(1) + " ready")
                            .isTrue();
                    found.put(rows.getString(1), rows.getString(2));
                }
            }
            assertThat(found).containsExactlyInAnyOrderEntriesOf(SEVEN_INDEXES);
        }
    }

    /**
     * Runs every "-- Query:" written next to an index in the changelog under EXPLAIN, on tables
     * filled with 100,000 invoices of realistic AP history ({@link ApHistory}: skewed vendors, mostly
     * passed validations, mostly resolved exceptions), and expects the planner to choose that index.
     * All inside a transaction that is rolled back.
     */
    @Test
    void thePlannerChoosesEachIndexForItsQuery() throws Exception {
        Map<String, List<String>> queries = IndexQueries.byIndex(Path.of(System.getProperty("apintake.basedir")));
        assertThat(queries.keySet()).containsExactlyInAnyOrderElementsOf(SEVEN_INDEXES.keySet());
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                new ApHistory(connection, 100_000).generateInTransaction(100_000);
                Map<String, String> parameters = IndexQueries.parameters(connection);
                for (var entry : queries.entrySet()) {
                    for (String query : entry.getValue()) {
                        String sql = IndexQueries.bind(query, parameters);
                        StringBuilder plan = new StringBuilder();
                        try (var rows = statement.executeQuery("EXPLAIN " + sql)) {
                            while (rows.next()) {
                                plan.append(rows.getString(1)).append('\n');
                            }
                        }
                        // On a monthly partitioned table (Liquibase 160-163) a range that covers most of a
                        // month is read best from that month's partition alone: pruning, not the index.
                        assertThat(plan.toString())
                                .as("plan of %s%n%s", sql, plan)
                                .satisfiesAnyOf(
                                        text -> assertThat(text).contains(entry.getKey()),
                                        text -> assertThat(text)
                                                .contains("Subplans Removed")
                                                .doesNotContain("_default"));
                    }
                }
            } finally {
                connection.rollback();
            }
        }
    }

    @Test
    void everyForeignKeyIsIndexed() throws SQLException {
        // A foreign key whose columns do not lead some index makes every delete/update of the parent scan the child.
        String unindexed = """
                SELECT c.conrelid::regclass || ' (' || c.conname || ')'
                FROM pg_constraint c
                WHERE c.contype = 'f'
                  AND NOT EXISTS (SELECT 1 FROM pg_index i
                                  WHERE i.indrelid = c.conrelid
                                    AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)""";
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(unindexed)) {
            List<String> missing = new ArrayList<>();
            while (rows.next()) {
                missing.add(rows.getString(1));
            }
            assertThat(missing).isEmpty();
        }
    }

    @Test
    void hotTablesCarryTheirAutovacuumSettings() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("""
                        SELECT relname, array_to_string(reloptions, ',') FROM pg_class
                        WHERE relname IN ('invoices', 'validations_default', 'invoice_extractions_default', 'exceptions', 'staged_exports')""")) {
            Map<String, String> options = new LinkedHashMap<>();
            while (rows.next()) {
                options.put(rows.getString(1), rows.getString(2));
            }
            assertThat(options.get("invoices")).contains("autovacuum_vacuum_scale_factor=0.02");
            assertThat(options.get("validations_default")).contains("autovacuum_vacuum_insert_scale_factor=0.05");
            assertThat(options.get("invoice_extractions_default"))
                    .contains("autovacuum_vacuum_insert_scale_factor=0.05");
            assertThat(options.get("exceptions")).contains("autovacuum_vacuum_scale_factor=0.05");
            assertThat(options.get("staged_exports")).contains("autovacuum_vacuum_scale_factor=0.05");
        }
    }

    @Test
    void pgStatStatementsIsInstalledBecauseTheServerPreloadsIt() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("SELECT count(*) FROM pg_stat_statements")) {
            assertThat(rows.next()).isTrue();
        }
    }

    @Test
    void constraintsRejectHalfValidRows() throws SQLException {
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                assertRejected(
                        connection,
                        "INSERT INTO invoices (file_hash, content_type, size_bytes) VALUES ('not-a-hash', 'application/xml', 1)");
                assertRejected(
                        connection,
                        "INSERT INTO invoices (file_hash, content_type, size_bytes, workflow_status) VALUES (repeat('a', 64), 'application/xml', 1, 'LOST')");
                statement.execute(
                        "INSERT INTO invoices (file_hash, content_type, size_bytes) VALUES (repeat('b', 64), 'application/xml', 1)");
                statement.execute("SAVEPOINT s");
                assertRejected(
                        connection,
                        "INSERT INTO invoices (file_hash, content_type, size_bytes) VALUES (repeat('b', 64), 'application/pdf', 2)");
                assertRejected(
                        connection,
                        "INSERT INTO exceptions (invoice_id, type, resolved) SELECT id, 'UNKNOWN_VENDOR', true FROM invoices WHERE file_hash = repeat('b', 64)");
            } finally {
                connection.rollback();
            }
        }
    }

    private static void assertRejected(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("SAVEPOINT attempt");
            try {
                statement.execute(sql);
                throw new AssertionError("accepted: " + sql);
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).as(sql).startsWith("23");
            }
            statement.execute("ROLLBACK TO SAVEPOINT attempt");
        }
    }
}
