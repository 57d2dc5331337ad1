package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
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
import javax.sql.DataSource;

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
            Map.entry("open_alerts", "open_alerts")));

    public record Point(Instant at, Double value) {}

    public record Series(String metric, Instant from, Instant until, List<Point> points) {}

    static final String INSERT = """
            INSERT INTO monitoring_snapshots (taken_at, score, pool_used, pool_free, pool_max, pool_wait_queue, pool_timed_out,
                cache_hit_ratio, index_hit_ratio, commits, rollbacks, deadlocks, temp_bytes, database_bytes, connections,
                active_sessions, idle_in_transaction, blocked_sessions, mean_statement_ms, slow_statements, open_alerts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (taken_at) DO NOTHING""";

    static final String PURGE = "DELETE FROM monitoring_snapshots WHERE taken_at < ?";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    public void store(Vitals vitals, HealthReport health, Integer slowStatements, Integer openAlerts) {
        var p = vitals.pool();
        var d = vitals.database();
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(INSERT)) {
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
            set(statement, i, openAlerts);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Storing the monitoring snapshot failed", e);
        }
    }

    /** metric must be a key of {@link #METRICS}; the boundary checks it. */
    public Series series(String metric, Duration window) {
        String column = METRICS.get(metric);
        if (column == null) {
            throw new IllegalArgumentException("unknown metric " + metric);
        }
        Instant until = Instant.now();
        Instant from = until.minus(window);
        String sql = "SELECT taken_at, " + column + " FROM monitoring_snapshots WHERE taken_at >= ? ORDER BY taken_at";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            statement.setTimestamp(1, Timestamp.from(from));
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
                var statement = connection.prepareStatement(PURGE)) {
            statement.setTimestamp(1, Timestamp.from(before));
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Purging monitoring snapshots failed", e);
        }
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
