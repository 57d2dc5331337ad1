package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.TestEnvironment;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Liquibase-owned views a DBA uses from psql answer with real rows. */
@ExtendWith(ArquillianExtension.class)
class MonitoringViewsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @Test
    void tableSizesListTheDomainTables() throws SQLException {
        assertThat(column("SELECT table_name FROM table_sizes"))
                .contains("invoices", "vendors", "invoice_extractions", "validations", "exceptions", "staged_exports");
    }

    @Test
    void aPartitionedTableShowsTheSumOfItsPartitions() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS sizes_probe");
            statement.execute("CREATE TABLE sizes_probe (id int, at date, note text) PARTITION BY RANGE (at)");
            try {
                statement.execute("CREATE TABLE sizes_probe_a PARTITION OF sizes_probe"
                        + " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
                statement.execute("CREATE TABLE sizes_probe_b PARTITION OF sizes_probe"
                        + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
                statement.execute("CREATE INDEX ON sizes_probe (id)");
                statement.execute("INSERT INTO sizes_probe SELECT g, DATE '2025-03-01' + g % 500, md5(g::text)"
                        + " FROM generate_series(1, 3000) g");
                statement.execute("ANALYZE sizes_probe");
                try (var rows = statement.executeQuery("""
                        SELECT p.table_bytes, p.index_bytes, p.total_bytes, p.estimated_rows, p.partitioned, p.partitions,
                               (SELECT sum(total_bytes) FROM table_sizes WHERE table_name IN ('sizes_probe_a', 'sizes_probe_b')),
                               (SELECT sum(table_bytes) FROM table_sizes WHERE table_name IN ('sizes_probe_a', 'sizes_probe_b'))
                        FROM table_sizes p WHERE p.table_name = 'sizes_probe'""")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getLong("total_bytes"))
                            .as("the parent sums its partitions")
                            .isPositive()
                            .isEqualTo(rows.getLong(7));
                    assertThat(rows.getLong("table_bytes")).isEqualTo(rows.getLong(8));
                    assertThat(rows.getLong("index_bytes")).isPositive();
                    assertThat(rows.getLong("estimated_rows")).isEqualTo(3000);
                    assertThat(rows.getBoolean("partitioned")).isTrue();
                    assertThat(rows.getInt("partitions")).isEqualTo(2);
                }
            } finally {
                statement.execute("DROP TABLE IF EXISTS sizes_probe");
            }
        }
    }

    @Test
    void indexUsageListsTheSevenIndexes() throws SQLException {
        assertThat(column("SELECT index_name FROM index_usage")).containsAll(SchemaIT.SEVEN_INDEXES.keySet());
    }

    @Test
    void unusedIndexesFlagTheLiquibaseOwnedOnes() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            // A fresh index nobody has scanned yet: the view must list it, not owned by Liquibase.
            statement.execute("CREATE INDEX it_unused_probe ON vendors (created_at)");
            try {
                assertThat(column("SELECT index_name FROM unused_indexes WHERE NOT liquibase_owned"))
                        .contains("it_unused_probe");
                assertThat(column("SELECT index_name FROM unused_indexes WHERE liquibase_owned"))
                        .allMatch(SchemaIT.SEVEN_INDEXES::containsKey);
            } finally {
                statement.execute("DROP INDEX it_unused_probe");
            }
        }
    }

    @Test
    void tableMaintenanceShowsDeadTuplesAndVacuumTimes() throws Exception {
        // A table of its own with autovacuum off: on vendors, an autovacuum between the DELETE and the read (or
        // statistics not yet flushed: PostgreSQL 15 flushes a backend's counters at most once a second) made
        // dead_rows 0 now and then under load.
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS maintenance_probe");
            statement.execute("CREATE TABLE maintenance_probe (id int) WITH (autovacuum_enabled = false)");
            try {
                statement.execute("INSERT INTO maintenance_probe SELECT g FROM generate_series(1, 50) g");
                statement.execute("DELETE FROM maintenance_probe");
                statement.execute("ANALYZE maintenance_probe");
                long deadRows = -1;
                java.sql.Timestamp lastAnalyze = null;
                Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
                while ((deadRows < 50 || lastAnalyze == null) && Instant.now().isBefore(deadline)) {
                    try (var rows = statement.executeQuery("SELECT dead_rows, last_analyze FROM table_maintenance"
                            + " WHERE table_name = 'maintenance_probe'")) {
                        if (rows.next()) {
                            deadRows = rows.getLong(1);
                            lastAnalyze = rows.getTimestamp(2);
                        }
                    }
                    Thread.sleep(200);
                }
                assertThat(deadRows).isGreaterThanOrEqualTo(50);
                assertThat(lastAnalyze).isNotNull();
            } finally {
                statement.execute("DROP TABLE IF EXISTS maintenance_probe");
            }
        }
    }

    @Test
    void blockingLocksShowWhoWaitsForWhom() throws Exception {
        try (Connection holder = TestEnvironment.connect();
                Connection waiter = TestEnvironment.connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE staged_exports IN ACCESS EXCLUSIVE MODE");
            int holderPid = pid(holder);
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try (var statement = waiter.createStatement()) {
                    statement.execute("SELECT count(*) FROM staged_exports");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                List<String> rows = List.of();
                Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
                while (rows.isEmpty() && Instant.now().isBefore(deadline)) {
                    rows = column("SELECT blocked_query FROM blocking_locks WHERE blocking_pid = " + holderPid);
                    Thread.sleep(100);
                }
                assertThat(rows).containsExactly("SELECT count(*) FROM staged_exports");
            } finally {
                holder.rollback();
                blocked.get();
            }
        }
    }

    private static int pid(Connection connection) throws SQLException {
        try (var rows = connection.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static List<String> column(String sql) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
