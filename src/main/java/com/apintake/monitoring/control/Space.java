package com.apintake.monitoring.control;

import com.apintake.platform.control.Refused;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where the space goes (PgHero's "space", and what it lacks): every table and index with its size,
 * rows and bloat estimate (Liquibase views table_bloat and index_bloat), growth per day from the
 * daily size snapshots, the days until the disk budget is reached, sequences near their maximum,
 * invalid indexes and the progress of running vacuums. Judged by the registry's table_bloat,
 * index_bloat, sequence_used and disk_budget thresholds.
 */
@ApplicationScoped
public class Space {

    public record Table(
            String schema,
            String table,
            long rows,
            long deadRows,
            long totalBytes,
            long heapBytes,
            long indexBytes,
            long bloatBytes,
            Double bloatPercent,
            Double growthBytesPerDay,
            String status) {}

    public record Index(
            String schema,
            String table,
            String index,
            boolean valid,
            long bytes,
            Long bloatBytes,
            Double bloatPercent,
            String status) {}

    public record Sequence(
            String schema,
            String sequence,
            String column,
            String type,
            long lastValue,
            long maxValue,
            double usedPercent,
            String status) {}

    public record Vacuum(
            int pid,
            String table,
            String phase,
            long heapBlocksTotal,
            long heapBlocksScanned,
            long heapBlocksVacuumed,
            long indexVacuumCount,
            Double durationSeconds,
            Double scannedPercent) {}

    /** daysToBudget: at the growth of the snapshots' span; null without a budget, without growth, or with under a day of history. */
    public record Database(
            String name,
            long bytes,
            Double growthBytesPerDay,
            Integer historyDays,
            Long budgetBytes,
            Double daysToBudget,
            String status) {}

    /**
     * staleBecauseOfLock: the size figures the monitoring loop skipped because a table was locked (lock_timeout,
     * apintake.monitoring.lock-timeout-ms), each with the time it was first skipped; growth and trends show
     * the figures from before. Empty when all are current.
     */
    public record Report(
            Database database,
            List<Table> tables,
            List<Index> indexes,
            List<Index> invalidIndexes,
            List<Sequence> sequences,
            List<Vacuum> vacuums,
            Map<String, Instant> staleBecauseOfLock) {}

    static final String TABLES = """
            SELECT b.schema_name, b.table_name, b.estimated_rows, coalesce(b.dead_rows, 0),
                   pg_total_relation_size(format('%I.%I', b.schema_name, b.table_name)::regclass),
                   b.heap_bytes, pg_indexes_size(format('%I.%I', b.schema_name, b.table_name)::regclass),
                   b.bloat_bytes, b.bloat_percent
            FROM table_bloat b
            ORDER BY 5 DESC""";

    static final String INDEXES = """
            SELECT n.nspname, t.relname, c.relname, x.indisvalid, pg_relation_size(c.oid), b.bloat_bytes, b.bloat_percent
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN index_bloat b ON b.schema_name = n.nspname AND b.index_name = c.relname
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            ORDER BY pg_relation_size(c.oid) DESC""";

    /** Growth per relation: the newest snapshot against the oldest one kept. */
    static final String GROWTH = """
            SELECT schema_name, relation_name,
                   (max(bytes) FILTER (WHERE taken_on = newest) - max(bytes) FILTER (WHERE taken_on = oldest))::double precision
                       / nullif(max(newest) - max(oldest), 0),
                   max(newest) - max(oldest)
            FROM (SELECT *, min(taken_on) OVER w AS oldest, max(taken_on) OVER w AS newest
                  FROM relation_size_snapshots
                  WINDOW w AS (PARTITION BY schema_name, relation_name)) s
            GROUP BY schema_name, relation_name""";

    /** Every sequence, its last value and the largest value it may reach: its own maximum or its column type's, whichever is lower. */
    static final String SEQUENCES = """
            SELECT s.schemaname, s.sequencename, a.attrelid::regclass || '.' || a.attname, coalesce(format_type(a.atttypid, a.atttypmod), s.data_type::text),
                   coalesce(s.last_value, s.start_value),
                   least(s.max_value, CASE format_type(a.atttypid, a.atttypmod)
                                          WHEN 'smallint' THEN 32767 WHEN 'integer' THEN 2147483647
                                          ELSE 9223372036854775807 END)
            FROM pg_sequences s
            JOIN pg_class sc ON sc.relname = s.sequencename
            JOIN pg_namespace sn ON sn.oid = sc.relnamespace AND sn.nspname = s.schemaname
            LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = sc.oid
                                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            ORDER BY 1, 2""";

    static final String VACUUMS = """
            SELECT p.pid, p.relid::regclass::text, p.phase, p.heap_blks_total, p.heap_blks_scanned, p.heap_blks_vacuumed,
                   p.index_vacuum_count, extract(epoch FROM now() - a.xact_start)
            FROM pg_stat_progress_vacuum p
            LEFT JOIN pg_stat_activity a ON a.pid = p.pid
            WHERE p.datname = current_database()""";

    static final String SNAPSHOT = """
            INSERT INTO relation_size_snapshots (taken_on, schema_name, relation_name, kind, bytes, estimated_rows)
            SELECT current_date, n.nspname, c.relname, 't', pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT current_date, '', current_database(), 'd', pg_database_size(current_database()), NULL
            ON CONFLICT (taken_on, schema_name, relation_name)
            DO UPDATE SET bytes = excluded.bytes, estimated_rows = excluded.estimated_rows, measured_at = now()""";

    /** The figure's name when it is skipped because of a lock (MonitoringConnections.stale). */
    public static final String DAILY_SIZES = "daily table sizes (space growth)";

    static final String PURGE = "DELETE FROM relation_size_snapshots WHERE taken_on < current_date - ?";

    @Inject
    MonitoringConnections dataSource;

    @Inject
    Thresholds thresholds;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.retention-days", defaultValue = "30")
    int retentionDays;

    /** 0: no budget. The bytes the database may occupy on its disk (its share of the volume, say). */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.disk-budget-bytes", defaultValue = "0")
    long diskBudgetBytes;

    /** Tables and indexes smaller than this are not judged for bloat: a few pages of overhead are no waste. */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.bloat-min-bytes", defaultValue = "1048576")
    long bloatMinBytes;

    public Report report() {
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Double[]> growth = new HashMap<>();
            try (var statement = connection.prepareStatement(GROWTH);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    double perDay = rows.getDouble(3);
                    growth.put(
                            rows.getString(1) + "." + rows.getString(2),
                            new Double[] {rows.wasNull() ? null : perDay, (double) rows.getInt(4)});
                }
            }
            var tableBloat = thresholds.limit("table_bloat");
            List<Table> tables = new ArrayList<>();
            try (var statement = connection.prepareStatement(TABLES);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    double percent = rows.getDouble(9);
                    Double bloat = rows.wasNull() ? null : percent;
                    long heap = rows.getLong(6);
                    Double[] g = growth.get(rows.getString(1) + "." + rows.getString(2));
                    tables.add(new Table(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getLong(3),
                            rows.getLong(4),
                            rows.getLong(5),
                            heap,
                            rows.getLong(7),
                            rows.getLong(8),
                            bloat,
                            g == null ? null : g[0],
                            heap < bloatMinBytes || bloat == null ? "ok" : status(tableBloat, bloat)));
                }
            }
            var indexBloat = thresholds.limit("index_bloat");
            List<Index> indexes = new ArrayList<>();
            try (var statement = connection.prepareStatement(INDEXES);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    long bytes = rows.getLong(5);
                    long bloatBytes = rows.getLong(6);
                    Long bloatBytesOrNull = rows.wasNull() ? null : bloatBytes;
                    double percent = rows.getDouble(7);
                    Double bloat = rows.wasNull() ? null : percent;
                    boolean valid = rows.getBoolean(4);
                    indexes.add(new Index(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getString(3),
                            valid,
                            bytes,
                            bloatBytesOrNull,
                            bloat,
                            !valid
                                    ? "critical"
                                    : bytes < bloatMinBytes || bloat == null ? "ok" : status(indexBloat, bloat)));
                }
            }
            List<Sequence> sequences = new ArrayList<>();
            var sequenceUsed = thresholds.limit("sequence_used");
            try (var statement = connection.prepareStatement(SEQUENCES);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    long last = rows.getLong(5);
                    long max = rows.getLong(6);
                    double used = max <= 0 ? 0 : Math.round(10_000.0 * last / max) / 100.0;
                    sequences.add(new Sequence(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getString(4),
                            last,
                            max,
                            used,
                            status(sequenceUsed, used)));
                }
            }
            List<Vacuum> vacuums = new ArrayList<>();
            try (var statement = connection.prepareStatement(VACUUMS);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    long total = rows.getLong(4);
                    long scanned = rows.getLong(5);
                    double seconds = rows.getDouble(8);
                    vacuums.add(new Vacuum(
                            rows.getInt(1),
                            rows.getString(2),
                            rows.getString(3),
                            total,
                            scanned,
                            rows.getLong(6),
                            rows.getLong(7),
                            rows.wasNull() ? null : seconds,
                            total == 0 ? null : Math.round(1000.0 * scanned / total) / 10.0));
                }
            }
            return new Report(
                    database(connection, growth),
                    tables,
                    indexes,
                    indexes.stream().filter(i -> !i.valid()).toList(),
                    sequences,
                    vacuums,
                    new TreeMap<>(dataSource.stale()));
        } catch (SQLException e) {
            throw LiveQueries.unavailable(e);
        }
    }

    private Database database(Connection connection, Map<String, Double[]> growth) throws SQLException {
        String name;
        long bytes;
        try (var rows = connection
                .createStatement()
                .executeQuery("SELECT current_database(), pg_database_size(current_database())")) {
            rows.next();
            name = rows.getString(1);
            bytes = rows.getLong(2);
        }
        Double[] g = growth.get("." + name);
        Double perDay = g == null ? null : g[0];
        Integer days = g == null ? null : g[1].intValue();
        Long budget = diskBudgetBytes > 0 ? diskBudgetBytes : null;
        Double daysToBudget = null;
        String status = "ok";
        if (budget != null) {
            if (bytes >= budget) {
                daysToBudget = 0.0;
            } else if (perDay != null && perDay > 0) {
                daysToBudget = Math.round(10.0 * (budget - bytes) / perDay) / 10.0;
            }
            if (daysToBudget != null) {
                status = status(thresholds.limit("disk_budget"), daysToBudget);
            }
        }
        return new Database(name, bytes, perDay, days, budget, daysToBudget, status);
    }

    /** Stores today's size of every table and of the database (the day's latest wins) and drops those past the retention. */
    public void snapshotToday() {
        try (Connection connection = dataSource.getConnection()) {
            try (var statement = connection.prepareStatement(SNAPSHOT)) {
                statement.executeUpdate();
                dataSource.measured(DAILY_SIZES);
            } catch (SQLException e) {
                // A locked table: today's sizes stay as last measured (an earlier snapshot today, or yesterday's).
                if (!MonitoringConnections.lockTimedOut(e)) {
                    throw e;
                }
                dataSource.skipped(DAILY_SIZES, e);
            }
            try (var statement = connection.prepareStatement(PURGE)) {
                statement.setInt(1, retentionDays);
                statement.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing the daily size snapshot failed", e);
        }
    }

    static String status(Thresholds.Limit limit, double value) {
        return limit.critical(value) ? "critical" : limit.warns(value) ? "warning" : "ok";
    }

    static Refused unavailable(SQLException e) {
        return LiveQueries.unavailable(e);
    }
}
