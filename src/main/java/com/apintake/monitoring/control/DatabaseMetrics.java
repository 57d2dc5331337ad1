package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The figures of GET /api/v1/database/metrics, as a DBA would read them from pg_stat_database,
 * pg_statio_*, pg_stat_statements, pg_stat_user_tables and pg_stat_replication. Ratios are 0..1.
 */
@ApplicationScoped
public class DatabaseMetrics {

    /** p95Millis: the statement mean below which 95 % of the calls fall (pg_stat_statements keeps no histogram). */
    public record StatementTime(long calls, Double meanMillis, Double recentMeanMillis, Double p95Millis) {}

    public record TableScans(String table, long liveRows, long seqScans, long seqRowsRead, long indexScans) {}

    public record DeadTuples(String table, long liveRows, long deadRows, double deadPercent) {}

    /** A standby streaming from this server (lagBytes: WAL not yet replayed there), or this server's own lag when it is a standby. */
    public record Replica(String name, String state, Long lagBytes, Double replayLagSeconds) {}

    public record Metrics(
            Instant measuredAt,
            Double cacheHitRatio,
            Double tableHitRatio,
            Double indexHitRatio,
            long commits,
            long rollbacks,
            long deadlocks,
            long tempFiles,
            long tempBytes,
            long databaseSizeBytes,
            Instant statsReset,
            long xidAge,
            StatementTime statementTime,
            List<TableScans> seqScansOnLargeTables,
            List<DeadTuples> deadTuples,
            boolean inRecovery,
            List<Replica> replication) {}

    /** Tables above apintake.monitoring.large-table-rows that are still read by sequential scans. */
    static final String SEQ_SCANS = """
            SELECT schemaname || '.' || relname, n_live_tup, seq_scan, seq_tup_read, coalesce(idx_scan, 0)
            FROM pg_stat_user_tables
            WHERE n_live_tup >= ? AND seq_scan > 0
            ORDER BY seq_tup_read DESC
            LIMIT 10""";

    static final String DEAD = """
            SELECT schemaname || '.' || relname, n_live_tup, n_dead_tup,
                   100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0)
            FROM pg_stat_user_tables
            WHERE n_dead_tup > 0
            ORDER BY n_dead_tup DESC
            LIMIT 10""";

    /** Per statement of this database: calls and mean, for the since-reset mean and the p95-ish figure. */
    static final String STATEMENT_MEANS = """
            SELECT sum(calls), sum(total_exec_time) / nullif(sum(calls), 0)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
            GROUP BY queryid""";

    static final String REPLICAS = """
            SELECT coalesce(nullif(application_name, ''), client_addr::text, 'standby'), state,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, extract(epoch FROM replay_lag)
            FROM pg_stat_replication""";

    static final String RECOVERY = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END""";

    @Inject
    MonitoringConnections dataSource;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.large-table-rows", defaultValue = "10000")
    long largeTableRows;

    public Metrics metrics(Vitals vitals) {
        var d = vitals.database();
        if (d == null) {
            throw new IllegalStateException("Database not reachable: " + vitals.databaseError());
        }
        try (Connection connection = dataSource.getConnection()) {
            List<TableScans> scans = new ArrayList<>();
            try (var statement = connection.prepareStatement(SEQ_SCANS)) {
                statement.setLong(1, largeTableRows);
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        scans.add(new TableScans(
                                rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5)));
                    }
                }
            }
            List<DeadTuples> dead = new ArrayList<>();
            try (var statement = connection.prepareStatement(DEAD);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    dead.add(new DeadTuples(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getDouble(4)));
                }
            }
            StatementTime time = new StatementTime(0, null, d.meanStatementMillis(), null);
            if (d.statementsAvailable()) {
                List<double[]> means = new ArrayList<>();
                try (var statement = connection.prepareStatement(STATEMENT_MEANS);
                        var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        means.add(new double[] {rows.getLong(1), rows.getDouble(2)});
                    }
                }
                time = statementTime(means, d.meanStatementMillis());
            }
            boolean inRecovery;
            List<Replica> replicas = new ArrayList<>();
            try (var statement = connection.prepareStatement(RECOVERY);
                    var rows = statement.executeQuery()) {
                rows.next();
                inRecovery = rows.getBoolean(1);
                if (inRecovery) {
                    double lag = rows.getDouble(2);
                    replicas.add(new Replica("(this server)", "standby", null, rows.wasNull() ? null : lag));
                }
            }
            if (!inRecovery) {
                try (var statement = connection.prepareStatement(REPLICAS);
                        var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long bytes = rows.getLong(3);
                        Long lagBytes = rows.wasNull() ? null : bytes;
                        double seconds = rows.getDouble(4);
                        replicas.add(new Replica(
                                rows.getString(1), rows.getString(2), lagBytes, rows.wasNull() ? null : seconds));
                    }
                }
            }
            return new Metrics(
                    vitals.at(),
                    d.cacheHitRatio(),
                    d.tableHitRatio(),
                    d.indexHitRatio(),
                    d.commits(),
                    d.rollbacks(),
                    d.deadlocks(),
                    d.tempFiles(),
                    d.tempBytes(),
                    d.sizeBytes(),
                    d.statsReset(),
                    d.xidAge(),
                    time,
                    scans,
                    dead,
                    inRecovery,
                    replicas);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the database metrics failed", e);
        }
    }

    /** Each element {calls, meanMillis}: the call-weighted mean, and the mean at the 95th percentile of calls. */
    static StatementTime statementTime(List<double[]> means, Double recentMean) {
        long calls = 0;
        double total = 0;
        for (double[] m : means) {
            calls += (long) m[0];
            total += m[0] * m[1];
        }
        if (calls == 0) {
            return new StatementTime(0, null, recentMean, null);
        }
        List<double[]> sorted = new ArrayList<>(means);
        sorted.sort(Comparator.comparingDouble(m -> m[1]));
        double target = 0.95 * calls;
        double seen = 0;
        Double p95 = null;
        for (double[] m : sorted) {
            seen += m[0];
            if (seen >= target) {
                p95 = m[1];
                break;
            }
        }
        return new StatementTime(calls, total / calls, recentMean, p95);
    }
}
