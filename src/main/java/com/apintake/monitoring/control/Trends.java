package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The key figures over time: one row in monitoring_snapshots per snapshot, served per metric. */
@ApplicationScoped
public class Trends {

    /** The metric names the trends endpoint accepts, and their columns. */
    public static final Map<String, String> METRICS = new TreeMap<>(Map.ofEntries(
            Map.entry("score", "score"),
            Map.entry("pool_used", "pool_used"),
            Map.entry("pool_free", "pool_free"),
            Map.entry("pool_max", "pool_max"),
            Map.entry("pool_wait_queue", "pool_wait_queue"),
            Map.entry("pool_timed_out", "pool_timed_out"),
            Map.entry("cache_hit_ratio", "cache_hit_ratio"),
            Map.entry("index_hit_ratio", "index_hit_ratio"),
            Map.entry("commits", "commits"),
            Map.entry("rollbacks", "rollbacks"),
            Map.entry("deadlocks", "deadlocks"),
            Map.entry("temp_bytes", "temp_bytes"),
            Map.entry("database_bytes", "database_bytes"),
            Map.entry("connections", "connections"),
            Map.entry("active_sessions", "active_sessions"),
            Map.entry("idle_in_transaction", "idle_in_transaction"),
            Map.entry("blocked_sessions", "blocked_sessions"),
            Map.entry("mean_statement_ms", "mean_statement_ms"),
            Map.entry("slow_statements", "slow_statements"),
            Map.entry("open_alerts", "open_alerts"),
            Map.entry("index_bytes", "index_bytes"),
            Map.entry("dead_tuples", "dead_tuples"),
            Map.entry("max_dead_tuple_percent", "max_dead_tuple_percent"),
            Map.entry("max_sequence_used_percent", "max_sequence_used_percent"),
            Map.entry("xid_age_percent", "xid_age_percent"),
            Map.entry("intake_queue_depth", "intake_queue_depth"),
            Map.entry("intake_queue_age_seconds", "intake_queue_age_seconds"),
            Map.entry("replica_lag_bytes", "replica_lag_bytes"),
            Map.entry("replica_lag_seconds", "replica_lag_seconds"),
            Map.entry("wal_archive_days_left", "wal_archive_days_left")));

    /** Per-table metrics (they need table=schema.name): the biggest tables' figures at each snapshot. */
    public static final Map<String, String> TABLE_METRICS = new TreeMap<>(Map.of(
            "table_bytes", "total_bytes",
            "table_index_bytes", "index_bytes",
            "table_dead_tuples", "dead_tuples"));

    /**
     * Health components other parts of ap-intake contribute (HealthSignal), read from the scored
     * report by name so that monitoring needs no import of theirs; absent or unmeasured is null.
     * Iterated in key order, which is the order of the last five columns of {@link #INSERT}.
     */
    static final Map<String, String> SIGNAL_COLUMNS = new TreeMap<>(Map.of(
            "intake_queue_depth", "intake_queue_depth",
            "intake_queue_age", "intake_queue_age_seconds",
            "replica_lag_bytes", "replica_lag_bytes",
            "replica_lag_seconds", "replica_lag_seconds",
            "wal_archive_disk_days_left", "wal_archive_days_left"));

    /** Database-wide space figures: all index sizes, all dead tuples, the fullest sequence (as {@link Space} judges it). */
    static final String SPACE_FIGURES = """
            SELECT (SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'),
                   (SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables),
                   (SELECT max(100.0 * last_value / nullif(max_value, 0))
                    FROM (%s) s(schema_name, sequence_name, column_name, type_name, last_value, max_value))""".formatted(Space.SEQUENCES);

    /** The biggest tables by total size (heap, TOAST and indexes), with their index size and dead tuples. */
    static final String TABLE_SNAPSHOT = """
            INSERT INTO table_size_snapshots (taken_at, schema_name, table_name, total_bytes, index_bytes, dead_tuples)
            SELECT CAST(? AS timestamptz), n.nspname, c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid),
                   s.n_dead_tup
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relkind IN ('r', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            ORDER BY pg_total_relation_size(c.oid) DESC, n.nspname, c.relname
            LIMIT ?
            ON CONFLICT DO NOTHING""";

    /** The figure's name when it is skipped because of a lock (MonitoringConnections.stale). */
    public static final String TABLE_SIZES = "table sizes (trends)";

    /** The figure's name when it is skipped because of a lock (MonitoringConnections.stale). */
    public static final String SPACE = "index bytes, dead tuples, sequence use (trends)";

    static final String PURGE_TABLES = "DELETE FROM table_size_snapshots WHERE taken_at < ?";

    public record Point(Instant at, Double value) {}

    public record Series(String metric, Instant from, Instant until, List<Point> points) {}

    static final String INSERT = """
            INSERT INTO monitoring_snapshots (taken_at, score, pool_used, pool_free, pool_max, pool_wait_queue, pool_timed_out,
                cache_hit_ratio, index_hit_ratio, commits, rollbacks, deadlocks, temp_bytes, database_bytes, connections,
                active_sessions, idle_in_transaction, blocked_sessions, mean_statement_ms, slow_statements, open_alerts,
                index_bytes, dead_tuples, max_dead_tuple_percent, max_sequence_used_percent, xid_age_percent,
                intake_queue_age_seconds, intake_queue_depth, replica_lag_bytes, replica_lag_seconds, wal_archive_days_left)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (taken_at) DO NOTHING""";

    static final String PURGE = "DELETE FROM monitoring_snapshots WHERE taken_at < ?";

    @Inject
    MonitoringConnections dataSource;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.trend-tables", defaultValue = "10")
    int trendTables;

    public void store(Vitals vitals, HealthReport health, Integer slowStatements, Integer openAlerts) {
        var p = vitals.pool();
        var d = vitals.database();
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(INSERT)) {
            Number[] space = d == null ? new Number[3] : spaceFigures(connection, dataSource);
            int i = 1;
            statement.setTimestamp(i++, Timestamp.from(vitals.at()));
            set(statement, i++, health == null ? null : health.score());
            set(statement, i++, p == null ? null : p.used());
            set(statement, i++, p == null ? null : p.free());
            set(statement, i++, p == null ? null : p.maxPoolSize());
            set(statement, i++, p == null ? null : p.waitQueueLength());
            set(statement, i++, p == null ? null : p.timedOut());
            set(statement, i++, d == null ? null : d.cacheHitRatio());
            set(statement, i++, d == null ? null : d.indexHitRatio());
            set(statement, i++, d == null ? null : d.commits());
            set(statement, i++, d == null ? null : d.rollbacks());
            set(statement, i++, d == null ? null : d.deadlocks());
            set(statement, i++, d == null ? null : d.tempBytes());
            set(statement, i++, d == null ? null : d.sizeBytes());
            set(statement, i++, d == null ? null : d.connections());
            set(statement, i++, d == null ? null : d.activeSessions());
            set(statement, i++, d == null ? null : d.idleInTransaction());
            set(statement, i++, d == null ? null : d.blockedSessions());
            set(statement, i++, d == null ? null : d.meanStatementMillis());
            set(statement, i++, slowStatements);
            set(statement, i++, openAlerts);
            set(statement, i++, space[0]);
            set(statement, i++, space[1]);
            set(statement, i++, d == null ? null : d.maxDeadTuplePercent());
            set(statement, i++, space[2]);
            set(statement, i++, d == null ? null : d.xidAgePercent());
            for (String component : SIGNAL_COLUMNS.keySet()) {
                set(statement, i++, signal(health, component));
            }
            statement.executeUpdate();
            if (d != null && trendTables > 0) {
                try (var tables = connection.prepareStatement(TABLE_SNAPSHOT)) {
                    tables.setTimestamp(1, Timestamp.from(vitals.at()));
                    tables.setInt(2, trendTables);
                    tables.executeUpdate();
                    dataSource.measured(TABLE_SIZES);
                } catch (SQLException e) {
                    // A locked table (pg_total_relation_size waits for it): this snapshot has no table sizes, the
                    // series keep their earlier points.
                    if (!MonitoringConnections.lockTimedOut(e)) {
                        throw e;
                    }
                    dataSource.skipped(TABLE_SIZES, e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing the monitoring snapshot failed", e);
        }
    }

    /** metric must be a key of {@link #METRICS}; the boundary checks it. */
    public Series series(String metric, Duration window) {
        return series(metric, window, null);
    }

    /**
     * metric must be a key of {@link #METRICS}, or of {@link #TABLE_METRICS} with table as
     * "schema.name" (a table that was never among the biggest has no points); the boundary checks it.
     */
    public Series series(String metric, Duration window, String table) {
        String column = METRICS.get(metric);
        String tableColumn = TABLE_METRICS.get(metric);
        if (column == null && (tableColumn == null || table == null)) {
            throw new IllegalArgumentException("unknown metric " + metric);
        }
        Instant until = Instant.now();
        Instant from = until.minus(window);
        String sql = column != null
                ? "SELECT taken_at, " + column + " FROM monitoring_snapshots WHERE taken_at >= ? ORDER BY taken_at"
                : "SELECT taken_at, " + tableColumn + " FROM table_size_snapshots"
                        + " WHERE taken_at >= ? AND schema_name = ? AND table_name = ? ORDER BY taken_at";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            statement.setTimestamp(1, Timestamp.from(from));
            if (column == null) {
                int dot = table.indexOf('.');
                statement.setString(2, dot < 0 ? "public" : table.substring(0, dot));
                statement.setString(3, dot < 0 ? table : table.substring(dot + 1));
            }
            List<Point> points = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    double value = rows.getDouble(2);
                    points.add(new Point(rows.getTimestamp(1).toInstant(), rows.wasNull() ? null : value));
                }
            }
            return new Series(metric, from, until, points);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the trends failed", e);
        }
    }

    public int purge(Instant before) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(PURGE);
                var tables = connection.prepareStatement(PURGE_TABLES)) {
            statement.setTimestamp(1, Timestamp.from(before));
            tables.setTimestamp(1, Timestamp.from(before));
            return statement.executeUpdate() + tables.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Purging monitoring snapshots failed", e);
        }
    }

    /** index bytes, dead tuples, the fullest sequence's used percent (null without any readable sequence). */
    private static Number[] spaceFigures(Connection connection, MonitoringConnections connections) throws SQLException {
        try (var statement = connection.prepareStatement(SPACE_FIGURES);
                var rows = statement.executeQuery()) {
            rows.next();
            double sequence = rows.getDouble(3);
            Number[] figures = {rows.getLong(1), rows.getLong(2), rows.wasNull() ? null : sequence};
            connections.measured(SPACE);
            return figures;
        } catch (SQLException e) {
            // An index under REINDEX or VACUUM FULL (pg_relation_size waits for it): the row is stored without
            // these three figures rather than not at all.
            if (!MonitoringConnections.lockTimedOut(e)) {
                throw e;
            }
            connections.skipped(SPACE, e);
            return new Number[3];
        }
    }

    private static Double signal(HealthReport health, String component) {
        var measured = health == null ? null : health.component(component);
        return measured == null ? null : measured.value();
    }

    private static void set(java.sql.PreparedStatement statement, int index, Number value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NUMERIC);
        } else if (value instanceof Double || value instanceof Float) {
            statement.setDouble(index, value.doubleValue());
        } else {
            statement.setLong(index, value.longValue());
        }
    }
}
