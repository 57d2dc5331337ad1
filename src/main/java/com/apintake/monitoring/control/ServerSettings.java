package com.apintake.monitoring.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The server settings a DBA checks first (the seed's postgresql.conf section, PgHero's "settings"),
 * each judged against the machine with its reason and the postgresql.conf line to change. The machine
 * is what the JVM sees (total memory, cores), which is PostgreSQL's machine when both share a host;
 * on a separate database host set apintake.monitoring.database-memory-bytes and
 * apintake.monitoring.database-cores. The rules are the common sizing rules (PostgreSQL's
 * documentation, pgtune): shared_buffers about a quarter of the memory, effective_cache_size about
 * three quarters, work_mem such that every connection sorting at once still fits.
 */
@ApplicationScoped
public class ServerSettings {

    /** The machine the advice is for; source says where the numbers come from. */
    public record Machine(long memoryBytes, int cores, String source) {}

    /** One judged setting. current and recommended are in PostgreSQL's notation (8MB, 4, on). */
    public record Advice(
            String name, String current, String recommended, String status, String reason, String postgresqlConf) {}

    public record Report(Machine machine, List<Advice> settings) {}

    /** A setting as pg_settings has it, value converted to bytes where it has a memory unit. */
    record Setting(String name, String value, Long bytes, boolean restart) {}

    static final String SETTINGS = """
            SELECT name, setting, unit, context,
                   CASE unit WHEN '8kB' THEN setting::bigint * 8192 WHEN 'kB' THEN setting::bigint * 1024
                             WHEN 'MB' THEN setting::bigint * 1048576 WHEN 'B' THEN setting::bigint END
            FROM pg_settings
            WHERE name IN ('shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
                           'max_connections', 'random_page_cost', 'max_wal_size', 'checkpoint_timeout',
                           'autovacuum', 'autovacuum_max_workers', 'idle_in_transaction_session_timeout',
                           'max_worker_processes', 'max_parallel_workers')""";

    /** Checkpoints forced by WAL volume (requested) against those on schedule (timed), since the statistics reset. */
    static final String CHECKPOINTS = "SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter";

    static final long MB = 1024L * 1024;
    static final long GB = 1024 * MB;

    @Inject
    MonitoringConnections dataSource;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.database-memory-bytes", defaultValue = "0")
    long memoryOverride;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.database-cores", defaultValue = "0")
    int coresOverride;

    public Report report() {
        Map<String, Setting> settings = new HashMap<>();
        long timed;
        long requested;
        try (Connection connection = dataSource.getConnection()) {
            try (var statement = connection.prepareStatement(SETTINGS);
                    var rows = statement.executeQuery()) {
                while (rows.next()) {
                    long bytes = rows.getLong(5);
                    settings.put(
                            rows.getString(1),
                            new Setting(
                                    rows.getString(1),
                                    rows.getString(2),
                                    rows.wasNull() ? null : bytes,
                                    "postmaster".equals(rows.getString(4))));
                }
            }
            try (var statement = connection.prepareStatement(CHECKPOINTS);
                    var rows = statement.executeQuery()) {
                rows.next();
                timed = rows.getLong(1);
                requested = rows.getLong(2);
            }
        } catch (SQLException e) {
            throw LiveQueries.unavailable(e);
        }
        Machine machine = machine();
        return new Report(machine, judge(machine, settings, timed, requested));
    }

    Machine machine() {
        long memory = memoryOverride;
        int cores = coresOverride;
        String source = "configured (apintake.monitoring.database-memory-bytes / database-cores)";
        if (memory <= 0 || cores <= 0) {
            source = "as the JVM sees the machine (the database is assumed to share it)";
            if (memory <= 0
                    && ManagementFactory.getOperatingSystemMXBean()
                            instanceof com.sun.management.OperatingSystemMXBean os) {
                memory = os.getTotalMemorySize();
            }
            if (cores <= 0) {
                cores = Runtime.getRuntime().availableProcessors();
            }
        }
        return new Machine(memory, cores, source);
    }

    /** Pure: the advice for these settings on this machine. */
    static List<Advice> judge(
            Machine machine, Map<String, Setting> s, long checkpointsTimed, long checkpointsRequested) {
        List<Advice> advice = new ArrayList<>();
        long ram = machine.memoryBytes();
        int connections = Integer.parseInt(s.get("max_connections").value());

        long sharedBuffers = s.get("shared_buffers").bytes();
        long sharedTarget = ram / 4;
        advice.add(memory(
                "shared_buffers",
                sharedBuffers,
                sharedTarget,
                sharedBuffers < ram * 15 / 100 ? "warning" : sharedBuffers > ram * 40 / 100 ? "warning" : "ok",
                "PostgreSQL's own cache: about 25 % of the memory; far less sends reads to the kernel, far more"
                        + " starves the kernel's cache and the sorts (restart needed)"));

        long cache = s.get("effective_cache_size").bytes();
        long cacheTarget = ram * 3 / 4;
        advice.add(memory(
                "effective_cache_size",
                cache,
                cacheTarget,
                cache < ram / 2 ? "warning" : cache > ram ? "warning" : "ok",
                "the planner's idea of the memory caching data (shared_buffers plus the kernel's cache); too low"
                        + " and index scans look more expensive than they are"));

        long workMem = s.get("work_mem").bytes();
        long workTarget = Math.max(4 * MB, (ram - sharedBuffers) / (connections * 3L));
        String workStatus =
                workMem * connections * 2 > ram - sharedBuffers ? "critical" : workMem < workTarget / 4 ? "info" : "ok";
        advice.add(memory(
                "work_mem",
                workMem,
                workTarget,
                workStatus,
                "memory per sort or hash, per connection (max_connections " + connections
                        + "): all connections sorting at once must fit beside shared_buffers, else the machine"
                        + " swaps or kills PostgreSQL"));

        long maintenance = s.get("maintenance_work_mem").bytes();
        long maintenanceTarget = Math.max(64 * MB, Math.min(2 * GB, ram / 20));
        advice.add(memory(
                "maintenance_work_mem",
                maintenance,
                maintenanceTarget,
                maintenance < maintenanceTarget / 4 ? "info" : maintenance > ram / 8 ? "warning" : "ok",
                "memory of VACUUM, CREATE INDEX and REINDEX: about 5 % of the memory, at most 2GB; more makes"
                        + " index builds and vacuum of big tables faster"));

        double randomPageCost = Double.parseDouble(s.get("random_page_cost").value());
        advice.add(new Advice(
                "random_page_cost",
                s.get("random_page_cost").value(),
                "1.1",
                randomPageCost > 2 ? "info" : "ok",
                "4 is for spinning disks; on SSD or network storage with a cache a random read costs little more"
                        + " than a sequential one, and 1.1 lets the planner choose index scans it should choose",
                "random_page_cost = 1.1"));

        long total = checkpointsTimed + checkpointsRequested;
        double requestedShare = total == 0 ? 0 : (double) checkpointsRequested / total;
        long walSize = s.get("max_wal_size").bytes();
        advice.add(new Advice(
                "max_wal_size",
                size(walSize),
                requestedShare > 0.1 ? size(walSize * 2) : size(walSize),
                total >= 10 && requestedShare > 0.1 ? "warning" : "ok",
                String.format(
                        Locale.ROOT,
                        "%d of %d checkpoints (%.0f %%) were forced by WAL volume before checkpoint_timeout"
                                + " (pg_stat_bgwriter); above 10 %% the WAL budget is too small and checkpoints come"
                                + " too often",
                        checkpointsRequested,
                        total,
                        100 * requestedShare),
                "max_wal_size = '" + size(requestedShare > 0.1 ? walSize * 2 : walSize) + "'"));

        boolean autovacuum = "on".equals(s.get("autovacuum").value());
        int workers = Integer.parseInt(s.get("autovacuum_max_workers").value());
        int workersTarget = Math.max(3, Math.min(machine.cores() / 2, 8));
        advice.add(new Advice(
                "autovacuum",
                s.get("autovacuum").value() + ", " + workers + " workers",
                "on, " + workersTarget + " workers",
                !autovacuum ? "critical" : workers < workersTarget ? "info" : "ok",
                "autovacuum removes dead rows and freezes old transaction ids; off means bloat and, in the end,"
                        + " a wraparound shutdown. One worker per two cores (at least 3) keeps up with many tables",
                "autovacuum = on\nautovacuum_max_workers = " + workersTarget));

        long idleTimeout =
                Long.parseLong(s.get("idle_in_transaction_session_timeout").value());
        advice.add(new Advice(
                "idle_in_transaction_session_timeout",
                idleTimeout == 0 ? "0 (never)" : idleTimeout + "ms",
                "30min",
                idleTimeout == 0 ? "warning" : "ok",
                "a session left idle in a transaction holds its locks and stops vacuum; ending it after 30 minutes"
                        + " (the idle_in_transaction threshold's critical level) protects the rest",
                "idle_in_transaction_session_timeout = '30min'"));
        return advice;
    }

    private static Advice memory(String name, long current, long recommended, String status, String reason) {
        return new Advice(
                name, size(current), size(recommended), status, reason, name + " = '" + size(recommended) + "'");
    }

    /** In PostgreSQL's notation: whole GB or MB, else kB. */
    static String size(long bytes) {
        if (bytes >= GB && bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes >= 10 * GB) {
            return Math.round((double) bytes / GB) + "GB";
        }
        if (bytes >= MB) {
            return Math.round((double) bytes / MB) + "MB";
        }
        return Math.max(64, bytes / 1024) + "kB";
    }
}
