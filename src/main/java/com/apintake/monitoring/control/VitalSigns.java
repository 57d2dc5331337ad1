package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Measures the key figures in one pass: the pool from Payara's monitoring (no connection needed, so
 * it still answers when the pool is exhausted), then PostgreSQL's statistics on one pooled
 * connection, one small query per check. Counters that only mean something as a rate (pool
 * timeouts, statement time) are turned into "within the recent window" from the samples this bean
 * keeps of every measurement.
 */
@ApplicationScoped
public class VitalSigns {

    /** pg_stat_database of this database: cache hits, transactions, deadlocks, temp files, size, xid age. */
    static final String DATABASE_COUNTERS = """
            SELECT blks_hit, blks_read, xact_commit, xact_rollback, deadlocks, temp_files, temp_bytes,
                   stats_reset, pg_database_size(d.datname), age(db.datfrozenxid)
            FROM pg_stat_database d
            JOIN pg_database db ON db.datname = d.datname
            WHERE d.datname = current_database()""";

    /** Buffer cache hits of user tables (heap) and user indexes. */
    static final String TABLE_AND_INDEX_HITS = """
            SELECT (SELECT coalesce(sum(heap_blks_hit), 0) FROM pg_statio_user_tables),
                   (SELECT coalesce(sum(heap_blks_read), 0) FROM pg_statio_user_tables),
                   (SELECT coalesce(sum(idx_blks_hit), 0) FROM pg_statio_user_indexes),
                   (SELECT coalesce(sum(idx_blks_read), 0) FROM pg_statio_user_indexes)""";

    /**
     * Client sessions of this database by state, blocked sessions (waiting for a lock another
     * session holds), the oldest idle-in-transaction age, and the server-wide connection budget.
     */
    static final String SESSIONS = """
            SELECT current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   count(*) AS all_client_backends,
                   count(*) FILTER (WHERE datname = current_database() AND state = 'active'),
                   count(*) FILTER (WHERE datname = current_database() AND state = 'idle'),
                   count(*) FILTER (WHERE datname = current_database() AND state LIKE 'idle in transaction%'),
                   coalesce(extract(epoch FROM max(now() - state_change)
                            FILTER (WHERE datname = current_database() AND state LIKE 'idle in transaction%')), 0),
                   count(*) FILTER (WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0)
            FROM pg_stat_activity
            WHERE backend_type = 'client backend'""";

    /** The worst dead-tuple share among tables big enough for it to matter (threshold: apintake.monitoring.maintenance-min-rows). */
    static final String DEAD_TUPLES = """
            SELECT relname, 100.0 * n_dead_tup / (n_live_tup + n_dead_tup)
            FROM pg_stat_user_tables
            WHERE n_live_tup + n_dead_tup >= ?
            ORDER BY n_dead_tup::float / (n_live_tup + n_dead_tup) DESC
            LIMIT 1""";

    static final String STATEMENTS_INSTALLED = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'";

    /** Statement totals of this database; the mean over a window is the difference of two samples. */
    static final String STATEMENT_TOTALS = """
            SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())""";

    private static final double XID_WRAPAROUND_LIMIT = 2_147_483_648d;

    @Inject
    MonitoringConnections dataSource;

    @Inject
    PoolStatistics poolStatistics;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.window-seconds", defaultValue = "300")
    long windowSeconds;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.maintenance-min-rows", defaultValue = "1000")
    long maintenanceMinRows;

    private record Sample(Instant at, long poolTimedOut, long calls, double totalMillis) {}

    private final Deque<Sample> samples = new ArrayDeque<>();

    public Vitals measure() {
        Instant now = Instant.now();
        Vitals.Pool pool = measurePool();
        Vitals.Database database = null;
        String error = null;
        StatementTotals totals = null;
        try (Connection connection = dataSource.getConnection()) {
            database = measureDatabase(connection);
            totals = database.statementsAvailable() ? statementTotals(connection) : null;
        } catch (SQLException | RuntimeException e) {
            error = e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        return remember(now, pool, database, totals, error);
    }

    /** Adds this measurement to the samples and fills in the figures that need the window. */
    private synchronized Vitals remember(
            Instant now, Vitals.Pool pool, Vitals.Database database, StatementTotals totals, String error) {
        Instant windowStart = now.minus(Duration.ofSeconds(windowSeconds));
        long timedOut = pool == null ? -1 : pool.timedOut();
        long calls = totals == null ? -1 : totals.calls();
        double total = totals == null ? -1 : totals.totalMillis();
        // Counters that went down were reset (pool recreated, pg_stat_statements reset): older samples no longer
        // compare.
        samples.removeIf(s -> (timedOut >= 0 && s.poolTimedOut() > timedOut) || (calls >= 0 && s.calls() > calls));
        // Keep one sample at or before the window start as the baseline; drop the older ones.
        while (samples.size() >= 2) {
            Iterator<Sample> iterator = samples.iterator();
            iterator.next();
            if (iterator.next().at().isAfter(windowStart)) {
                break;
            }
            samples.pollFirst();
        }
        Vitals.Pool windowedPool = pool;
        if (pool != null) {
            long base = samples.stream()
                    .filter(s -> s.poolTimedOut() >= 0)
                    .findFirst()
                    .map(Sample::poolTimedOut)
                    .orElse(timedOut);
            windowedPool = new Vitals.Pool(
                    pool.steadyPoolSize(),
                    pool.maxPoolSize(),
                    pool.used(),
                    pool.free(),
                    pool.highWaterMark(),
                    pool.waitQueueLength(),
                    pool.timedOut(),
                    Math.max(0, timedOut - base),
                    pool.averageWaitMillis(),
                    pool.potentialLeaks(),
                    pool.failedValidations());
        }
        Vitals.Database windowedDatabase = database;
        if (database != null && totals != null) {
            Sample base =
                    samples.stream().filter(s -> s.calls() >= 0).findFirst().orElse(null);
            Double mean = null;
            if (base != null && calls > base.calls()) {
                mean = (total - base.totalMillis()) / (calls - base.calls());
            } else if (base == null && calls > 0) {
                mean = total / calls; // no earlier sample yet: since pg_stat_statements was last reset
            }
            windowedDatabase = withStatements(database, mean, calls);
        }
        // One sample per second is plenty; a dashboard polled many times a second must not grow the list.
        if (samples.isEmpty() || Duration.between(samples.peekLast().at(), now).toMillis() >= 1000) {
            samples.addLast(new Sample(now, timedOut, calls, total));
        }
        return new Vitals(now, windowedPool, windowedDatabase, error);
    }

    private Vitals.Pool measurePool() {
        var configuration = poolStatistics.configuration();
        var usage = poolStatistics.usage();
        if (configuration.isEmpty() || usage.isEmpty()) {
            return null;
        }
        var c = configuration.get();
        var u = usage.get();
        return new Vitals.Pool(
                c.steadyPoolSize(),
                c.maxPoolSize(),
                u.used(),
                u.free(),
                u.highWaterMark(),
                u.waitQueueLength(),
                u.timedOut(),
                0,
                u.averageWaitMillis(),
                u.potentialLeaks(),
                u.failedValidations());
    }

    private Vitals.Database measureDatabase(Connection connection) throws SQLException {
        long hit, read, commits, rollbacks, deadlocks, tempFiles, tempBytes, size, xidAge;
        Instant statsReset;
        try (var statement = connection.prepareStatement(DATABASE_COUNTERS);
                var rows = statement.executeQuery()) {
            rows.next();
            hit = rows.getLong(1);
            read = rows.getLong(2);
            commits = rows.getLong(3);
            rollbacks = rows.getLong(4);
            deadlocks = rows.getLong(5);
            tempFiles = rows.getLong(6);
            tempBytes = rows.getLong(7);
            statsReset = instant(rows.getTimestamp(8));
            size = rows.getLong(9);
            xidAge = rows.getLong(10);
        }
        Double tableRatio, indexRatio;
        try (var statement = connection.prepareStatement(TABLE_AND_INDEX_HITS);
                var rows = statement.executeQuery()) {
            rows.next();
            tableRatio = ratio(rows.getLong(1), rows.getLong(2));
            indexRatio = ratio(rows.getLong(3), rows.getLong(4));
        }
        int maxConnections, reserved, connections, active, idle, idleInTransaction, blocked;
        double oldestIdleInTransaction;
        try (var statement = connection.prepareStatement(SESSIONS);
                var rows = statement.executeQuery()) {
            rows.next();
            maxConnections = rows.getInt(1);
            reserved = rows.getInt(2);
            connections = rows.getInt(3);
            active = rows.getInt(4);
            idle = rows.getInt(5);
            idleInTransaction = rows.getInt(6);
            oldestIdleInTransaction = rows.getDouble(7);
            blocked = rows.getInt(8);
        }
        Double deadPercent = null;
        String deadTable = null;
        try (var statement = connection.prepareStatement(DEAD_TUPLES)) {
            statement.setLong(1, maintenanceMinRows);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    deadTable = rows.getString(1);
                    deadPercent = rows.getDouble(2);
                }
            }
        }
        boolean statements;
        try (var statement = connection.prepareStatement(STATEMENTS_INSTALLED);
                var rows = statement.executeQuery()) {
            rows.next();
            statements = rows.getInt(1) > 0;
        }
        return new Vitals.Database(
                ratio(hit, read),
                tableRatio,
                indexRatio,
                hit,
                read,
                commits,
                rollbacks,
                deadlocks,
                tempFiles,
                tempBytes,
                size,
                statsReset,
                xidAge,
                100.0 * xidAge / XID_WRAPAROUND_LIMIT,
                maxConnections,
                reserved,
                connections,
                active,
                idle,
                idleInTransaction,
                oldestIdleInTransaction,
                blocked,
                deadPercent,
                deadTable,
                statements,
                null,
                0);
    }

    private record StatementTotals(long calls, double totalMillis) {}

    private static StatementTotals statementTotals(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(STATEMENT_TOTALS);
                var rows = statement.executeQuery()) {
            rows.next();
            return new StatementTotals(rows.getLong(1), rows.getDouble(2));
        }
    }

    private static Vitals.Database withStatements(Vitals.Database d, Double mean, long calls) {
        return new Vitals.Database(
                d.cacheHitRatio(),
                d.tableHitRatio(),
                d.indexHitRatio(),
                d.blocksHit(),
                d.blocksRead(),
                d.commits(),
                d.rollbacks(),
                d.deadlocks(),
                d.tempFiles(),
                d.tempBytes(),
                d.sizeBytes(),
                d.statsReset(),
                d.xidAge(),
                d.xidAgePercent(),
                d.maxConnections(),
                d.reservedConnections(),
                d.connections(),
                d.activeSessions(),
                d.idleSessions(),
                d.idleInTransaction(),
                d.oldestIdleInTransactionSeconds(),
                d.blockedSessions(),
                d.maxDeadTuplePercent(),
                d.mostDeadTable(),
                d.statementsAvailable(),
                mean,
                calls);
    }

    static Double ratio(long hit, long read) {
        return hit + read == 0 ? null : (double) hit / (hit + read);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
