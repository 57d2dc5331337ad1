package com.apintake.monitoring.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * "Slow in the last hour" from pg_stat_statements, which only counts since its last reset: the
 * snapshot timer stores each statement's counters when they moved, and a window is the live counters
 * minus the last snapshot taken at or before the window's start. A statement whose counters went
 * down since that snapshot, or a reset recorded by pg_stat_statements_info after it, was reset: its
 * live counters are the whole delta. ap-intake never calls pg_stat_statements_reset().
 */
@ApplicationScoped
public class SlowQueries {

    /**
     * What the statement did in the window; meanMillis = totalMillis / calls. explain is the link
     * that plans it (POST), set by the boundary that knows the API's address; null elsewhere.
     */
    public record Statement(
            long queryid,
            String query,
            long calls,
            double totalMillis,
            double meanMillis,
            long rows,
            boolean resetInWindow,
            String explain) {

        public Statement withExplain(String href) {
            return new Statement(queryid, query, calls, totalMillis, meanMillis, rows, resetInWindow, href);
        }
    }

    /**
     * since: where the window's counts start (the window start, or the first snapshot when
     * monitoring started later, marked partial); slow: mean above thresholdMillis with at least
     * minCalls calls in the window.
     */
    public record Window(
            Instant since,
            Instant until,
            boolean partial,
            boolean available,
            double thresholdMillis,
            long minCalls,
            int slowCount,
            List<Statement> slow) {

        public Window withExplainLinks(java.util.function.LongFunction<String> href) {
            return new Window(
                    since,
                    until,
                    partial,
                    available,
                    thresholdMillis,
                    minCalls,
                    slowCount,
                    slow.stream()
                            .map(s -> s.withExplain(href.apply(s.queryid())))
                            .toList());
        }
    }

    static final String INSTALLED = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'";

    /** Live counters of this database per queryid, summed over users and top-level/nested. */
    static final String LIVE = """
            SELECT queryid, min(query) AS query, sum(calls) AS calls, sum(total_exec_time) AS total_ms, sum(rows) AS returned_rows
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
            GROUP BY queryid""";

    /** Live counters next to each statement's last snapshot at or before the window start (one index probe each). */
    static final String WINDOW = "WITH live AS (" + LIVE + """
            )
            SELECT l.queryid, l.query, l.calls, l.total_ms, l.returned_rows,
                   b.taken_at, b.calls, b.total_exec_ms, b.returned_rows
            FROM live l
            LEFT JOIN LATERAL (
                SELECT s.taken_at, s.calls, s.total_exec_ms, s.returned_rows
                FROM statement_snapshots s
                WHERE s.queryid = l.queryid AND s.taken_at <= ?
                ORDER BY s.taken_at DESC
                LIMIT 1) b ON true""";

    static final String STATS_RESET = "SELECT stats_reset FROM pg_stat_statements_info";
    static final String FIRST_SNAPSHOT = "SELECT min(taken_at) FROM statement_snapshots";

    /** Stores the counters of every statement that moved since its last snapshot. */
    static final String SNAPSHOT = "WITH live AS (" + LIVE + """
            )
            INSERT INTO statement_snapshots (queryid, taken_at, calls, total_exec_ms, returned_rows)
            SELECT l.queryid, ?, l.calls, l.total_ms, l.returned_rows
            FROM live l
            LEFT JOIN LATERAL (
                SELECT s.calls FROM statement_snapshots s WHERE s.queryid = l.queryid ORDER BY s.taken_at DESC LIMIT 1) p ON true
            WHERE p.calls IS DISTINCT FROM l.calls""";

    static final String PURGE = "DELETE FROM statement_snapshots WHERE taken_at < ?";

    @Inject
    MonitoringConnections dataSource;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.slow-query-ms", defaultValue = "100")
    double thresholdMillis;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.slow-query-min-calls", defaultValue = "5")
    long minCalls;

    public Window slow(Duration window, int limit) {
        Instant until = Instant.now();
        Instant start = until.minus(window);
        try (Connection connection = dataSource.getConnection()) {
            if (!installed(connection)) {
                return new Window(start, until, false, false, thresholdMillis, minCalls, 0, List.of());
            }
            Instant statsReset = single(connection, STATS_RESET);
            Instant firstSnapshot = single(connection, FIRST_SNAPSHOT);
            List<Statement> statements = new ArrayList<>();
            try (var statement = connection.prepareStatement(WINDOW)) {
                statement.setTimestamp(1, Timestamp.from(start));
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long calls = rows.getLong(3);
                        double total = rows.getDouble(4);
                        long returned = rows.getLong(5);
                        Timestamp baseAt = rows.getTimestamp(6);
                        boolean reset = false;
                        if (baseAt != null) {
                            long baseCalls = rows.getLong(7);
                            reset = calls < baseCalls || (statsReset != null && statsReset.isAfter(baseAt.toInstant()));
                            if (!reset) {
                                calls -= baseCalls;
                                total -= rows.getDouble(8);
                                returned -= rows.getLong(9);
                            }
                        }
                        if (calls > 0) {
                            statements.add(new Statement(
                                    rows.getLong(1),
                                    rows.getString(2),
                                    calls,
                                    total,
                                    total / calls,
                                    returned,
                                    reset,
                                    null));
                        }
                    }
                }
            }
            List<Statement> slow = statements.stream()
                    .filter(s -> s.meanMillis() > thresholdMillis && s.calls() >= minCalls)
                    .sorted(Comparator.comparingDouble(Statement::totalMillis).reversed())
                    .toList();
            boolean partial = firstSnapshot == null || firstSnapshot.isAfter(start);
            Instant since = start;
            if (partial) {
                // Before the first snapshot only "since the last reset" is known.
                since = statsReset != null && statsReset.isAfter(start) ? statsReset : start;
            }
            return new Window(
                    since,
                    until,
                    partial,
                    true,
                    thresholdMillis,
                    minCalls,
                    slow.size(),
                    slow.subList(0, Math.min(limit, slow.size())));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading pg_stat_statements failed", e);
        }
    }

    /** Called by the snapshot timer. Returns the number of statement rows stored. */
    public int snapshot(Instant at) {
        try (Connection connection = dataSource.getConnection()) {
            if (!installed(connection)) {
                return 0;
            }
            try (var statement = connection.prepareStatement(SNAPSHOT)) {
                statement.setTimestamp(1, Timestamp.from(at));
                return statement.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing the statement snapshot failed", e);
        }
    }

    public int purge(Instant before) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(PURGE)) {
            statement.setTimestamp(1, Timestamp.from(before));
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Purging statement snapshots failed", e);
        }
    }

    private static boolean installed(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(INSTALLED);
                var rows = statement.executeQuery()) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private static Instant single(Connection connection, String sql) throws SQLException {
        try (var statement = connection.prepareStatement(sql);
                var rows = statement.executeQuery()) {
            Timestamp value = rows.next() ? rows.getTimestamp(1) : null;
            return value == null ? null : value.toInstant();
        }
    }
}
