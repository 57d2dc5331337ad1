package com.apintake.maintenance.control;

import com.apintake.maintenance.entity.Action;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.Recommendations;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.Trends;
import com.apintake.monitoring.control.VitalSigns;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Recommendation;
import com.apintake.platform.control.JsonBinding;
import com.apintake.platform.control.ReadSource;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The performance report a DBA reads on Monday: health score now and its trend, the statements that
 * cost the most, index usage, table growth since the previous report of the same kind, the
 * recommendations, and what maintenance did. Stored (JSON and Markdown) in performance_reports.
 */
@ApplicationScoped
public class PerformanceReports {

    public record TopStatement(
            long queryid, String query, long calls, double totalMillis, double meanMillis, long rows) {}

    public record IndexUse(String table, String index, long scans, long bytes, boolean liquibaseOwned, boolean valid) {}

    public record TableGrowth(String table, long bytes, long growthBytes, long estimatedRows) {}

    public record Report(
            String kind,
            Instant periodStart,
            Instant periodEnd,
            HealthReport health,
            List<Trends.Point> scoreTrend,
            List<TopStatement> topStatements,
            SlowQueries.Window slowInPeriod,
            List<IndexUse> indexUsage,
            List<TableGrowth> tableGrowth,
            List<Recommendation> recommendations,
            List<Action> maintenance) {}

    /** A stored report: the JSON for tools, the Markdown for people. */
    public record Stored(long id, String kind, OffsetDateTime createdAt, String json, String markdown) {}

    public record Summary(
            long id, String kind, OffsetDateTime createdAt, OffsetDateTime periodStart, OffsetDateTime periodEnd) {}

    /** Cost since the statistics were last reset (pg_stat_statements keeps no history of its own). */
    static final String TOP_STATEMENTS = """
            SELECT queryid, min(query), sum(calls), sum(total_exec_time), sum(total_exec_time) / nullif(sum(calls), 0), sum(rows)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
            GROUP BY queryid
            ORDER BY 4 DESC
            LIMIT 10""";

    static final String INDEX_USAGE = """
            SELECT u.table_name, u.index_name, u.index_scans, u.index_bytes,
                   u.index_name = ANY (?), u.is_valid
            FROM index_usage u
            ORDER BY u.index_scans, u.index_bytes DESC""";

    static final String TABLE_SIZES =
            "SELECT schema_name || '.' || table_name, total_bytes, estimated_rows FROM table_sizes";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    ReadSource reads;

    @Inject
    VitalSigns vitalSigns;

    @Inject
    HealthScore healthScore;

    @Inject
    Recommendations recommendations;

    @Inject
    SlowQueries slowQueries;

    @Inject
    Trends trends;

    /** Builds the report for the period ending now and stores it; returns its id. */
    public long create(String kind, Duration period, List<Action> maintenance) {
        Instant end = Instant.now();
        Instant start = end.minus(period);
        var vitals = vitalSigns.measure();
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Long> previousSizes = previousSizes(connection, kind);
            Report report = new Report(
                    kind,
                    start,
                    end,
                    healthScore.score(vitals),
                    trends.series("score", period).points(),
                    topStatements(connection),
                    slowQueries.slow(period, 10),
                    indexUsage(connection),
                    growth(connection, previousSizes),
                    recommendations.all(vitals),
                    maintenance);
            try (var insert = connection.prepareStatement("""
                    INSERT INTO performance_reports (kind, period_start, period_end, report, markdown)
                    VALUES (?, ?, ?, ?::jsonb, ?) RETURNING id""")) {
                insert.setString(1, kind);
                insert.setObject(2, start.atOffset(ZoneOffset.UTC));
                insert.setObject(3, end.atOffset(ZoneOffset.UTC));
                insert.setString(4, JsonBinding.toJson(report));
                insert.setString(5, ReportMarkdown.render(report));
                try (var rows = insert.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Creating the " + kind + " performance report failed", e);
        }
    }

    /** Reports are written weekly and never change: the list reads the replica when one is in sync. */
    public List<Summary> list(int limit) {
        try {
            return reads.read(connection -> {
                try (var statement = connection.prepareStatement(
                        "SELECT id, kind, created_at, period_start, period_end FROM performance_reports ORDER BY created_at DESC LIMIT ?")) {
                    statement.setInt(1, limit);
                    try (var rows = statement.executeQuery()) {
                        List<Summary> result = new ArrayList<>();
                        while (rows.next()) {
                            result.add(new Summary(
                                    rows.getLong(1),
                                    rows.getString(2),
                                    rows.getObject(3, OffsetDateTime.class),
                                    rows.getObject(4, OffsetDateTime.class),
                                    rows.getObject(5, OffsetDateTime.class)));
                        }
                        return result;
                    }
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Listing performance reports failed", e);
        }
    }

    /** From the replica when in sync; a report created a moment ago and not there yet is read from the primary. */
    public Optional<Stored> find(long id) {
        try {
            return reads.find(connection -> {
                try (var statement = connection.prepareStatement(
                        "SELECT id, kind, created_at, report::text, markdown FROM performance_reports WHERE id = ?")) {
                    statement.setLong(1, id);
                    try (var rows = statement.executeQuery()) {
                        return rows.next()
                                ? Optional.of(new Stored(
                                        rows.getLong(1),
                                        rows.getString(2),
                                        rows.getObject(3, OffsetDateTime.class),
                                        rows.getString(4),
                                        rows.getString(5)))
                                : Optional.empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Reading performance report " + id + " failed", e);
        }
    }

    private static List<TopStatement> topStatements(Connection connection) {
        List<TopStatement> result = new ArrayList<>();
        try (var rows = connection.createStatement().executeQuery(TOP_STATEMENTS)) {
            while (rows.next()) {
                result.add(new TopStatement(
                        rows.getLong(1),
                        rows.getString(2),
                        rows.getLong(3),
                        rows.getDouble(4),
                        rows.getDouble(5),
                        rows.getLong(6)));
            }
        } catch (SQLException e) {
            // Without pg_stat_statements the report says so by an empty list; the rest stays useful.
            return List.of();
        }
        return result;
    }

    private static List<IndexUse> indexUsage(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(INDEX_USAGE)) {
            statement.setArray(1, connection.createArrayOf("text", Recommendations.LIQUIBASE_OWNED.toArray()));
            try (var rows = statement.executeQuery()) {
                List<IndexUse> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(new IndexUse(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getLong(3),
                            rows.getLong(4),
                            rows.getBoolean(5),
                            rows.getBoolean(6)));
                }
                return result;
            }
        }
    }

    private static List<TableGrowth> growth(Connection connection, Map<String, Long> previous) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(TABLE_SIZES)) {
            List<TableGrowth> result = new ArrayList<>();
            while (rows.next()) {
                long bytes = rows.getLong(2);
                Long before = previous.get(rows.getString(1));
                result.add(new TableGrowth(
                        rows.getString(1), bytes, before == null ? 0 : bytes - before, rows.getLong(3)));
            }
            return result;
        }
    }

    /** Table sizes recorded by the previous report of the same kind: the baseline for growth. */
    private static Map<String, Long> previousSizes(Connection connection, String kind) throws SQLException {
        Map<String, Long> sizes = new HashMap<>();
        try (var statement = connection.prepareStatement("""
                SELECT t ->> 'table', (t ->> 'bytes')::bigint
                FROM performance_reports, jsonb_array_elements(report -> 'tableGrowth') t
                WHERE id = (SELECT max(id) FROM performance_reports WHERE kind = ?)""")) {
            statement.setString(1, kind);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    sizes.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return sizes;
    }
}
