package com.apintake.backup;

import com.apintake.backup.control.ArchiveCheck;
import com.apintake.backup.control.BackupKey;
import com.apintake.backup.control.BaseBackup;
import com.apintake.backup.control.CriticalTables;
import com.apintake.backup.control.DatabaseEndpoint;
import com.apintake.backup.control.LogicalDump;
import com.apintake.backup.control.ManifestFile;
import com.apintake.backup.control.PgRestore;
import com.apintake.backup.control.PostgresTools;
import com.apintake.backup.control.RestoreDrill;
import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import com.apintake.platform.control.Migrations;
import com.apintake.testsupport.Commands;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * Backup and restore-drill times on a database with 1 M invoices, next to raw pg_dump -Fc and
 * pg_restore measured in the same run on the same data. Not a test: run it with
 * scripts/benchmark-backups.sh; it writes its table into docs/benchmarks.md.
 *
 * <p>It starts its own PostgreSQL 15 (target/bench/backups: a folder of its own, so that the harness's
 * database under target/bench/postgres survives it), applies the application's Liquibase changelog,
 * fills the schema with INSERT ... SELECT generate_series, then runs each measurement ROUNDS times
 * alternating baseline and ours, and reports medians.
 */
public final class BackupBenchmark {

    private static final int ROUNDS = Integer.getInteger("rounds", 3);
    private static final int INVOICES = Integer.getInteger("invoices", 1_000_000);
    /**
     * -Dprofile=N: only N rounds of raw pg_dump -Fc (file, pipe) against the full backup (plain, encrypted),
     * each backup's timeline printed (offsets in ms after pg_dump was spawned); docs/benchmarks.md untouched.
     */
    private static final int PROFILE = Integer.getInteger("profile", 0);

    private static final String DATABASE = "ap_intake_bench";
    private static final String BIN = System.getProperty("pgBin", "/usr/lib/postgresql/15/bin");

    public static void main(String[] args) throws Exception {
        Path basedir = Path.of("").toAbsolutePath();
        Path work = basedir.resolve("target/bench/backups");
        Folders.deleteRecursively(work);
        Files.createDirectories(work);
        PostgresServer postgres =
                new PostgresServer(work.resolve("data"), PayaraMicroLaunch.freePort(), "postgres", null);
        postgres.start();
        try {
            postgres.createDatabaseIfMissing(DATABASE);
            run(basedir, work, postgres);
        } finally {
            postgres.stop();
            Folders.deleteRecursively(work);
        }
    }

    private static void run(Path basedir, Path work, PostgresServer postgres) throws Exception {
        log("Applying the changelog and filling " + INVOICES + " invoices...");
        long fillStart = System.nanoTime();
        try (Connection connection = postgres.connect(DATABASE)) {
            migrate(connection);
            fill(connection);
        }
        log("Filled in " + seconds(System.nanoTime() - fillStart) + " s");

        DatabaseEndpoint endpoint =
                new DatabaseEndpoint("127.0.0.1", postgres.port(), DATABASE, "postgres", null, Map.of());
        PostgresTools tools = new PostgresTools(Path.of(BIN), System.getenv("PATH"));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        BackupKey encryption = BackupKey.of(Base64.getEncoder().encodeToString(key));
        String criticalNames = "invoices,invoice_extractions,validations,exceptions,staged_exports,vendors";
        CriticalTables critical = CriticalTables.parse(criticalNames);
        // The opt-in (apintake.backup.critical-checksums=true), which was every backup's default before.
        CriticalTables checksummed = CriticalTables.parse(criticalNames, true);
        Map<String, String> environment = endpoint.environment();
        String databaseSize;
        try (Connection connection = endpoint.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT pg_size_pretty(pg_database_size(current_database()))")) {
            rows.next();
            databaseSize = rows.getString(1);
        }

        try (Connection connection = endpoint.connect();
                var rows = connection.createStatement().executeQuery("EXPLAIN SELECT count(*) FROM invoices")) {
            StringBuilder plan = new StringBuilder();
            while (rows.next()) {
                plan.append("\n    ").append(rows.getString(1));
            }
            log("Plan of the exact count:" + plan);
        }

        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        PHASES.clear();
        String loadAtStart = loadAverage();
        if (PROFILE > 0) {
            profile(work, endpoint, tools, encryption, critical, environment, times, sizes);
            log("load average " + loadAtStart + " at the start, " + loadAverage() + " at the end");
            return;
        }
        for (int round = 1; round <= ROUNDS; round++) {
            log("Round " + round + "/" + ROUNDS);
            Path raw = work.resolve("raw.dump");
            Files.deleteIfExists(raw);
            long t = System.nanoTime();
            exec(List.of(tools.tool("pg_dump"), "--format=custom", "--file=" + raw), environment);
            record(times, "pg_dump -Fc (raw)", t);
            sizes.put("pg_dump -Fc (raw)", Files.size(raw));
            // The backups' default compression (apintake.backup.compress-level=1), raw.
            Path lighter = work.resolve("raw-z1.dump");
            t = System.nanoTime();
            exec(List.of(tools.tool("pg_dump"), "--format=custom", "--compress=1", "--file=" + lighter), environment);
            record(times, "pg_dump -Fc -Z1 (raw, the backups' compression)", t);
            sizes.put("pg_dump -Fc -Z1 (raw, the backups' compression)", Files.size(lighter));
            Files.deleteIfExists(lighter);
            // pg_dump forces its file to the disk (fsync) unless told not to; the backups do the same since
            // this round, and this row shows what that costs here.
            Path unsynced = work.resolve("raw-nosync.dump");
            Files.deleteIfExists(unsynced);
            t = System.nanoTime();
            exec(List.of(tools.tool("pg_dump"), "--format=custom", "--no-sync", "--file=" + unsynced), environment);
            record(times, "pg_dump -Fc --no-sync (raw, not forced to disk)", t);
            Files.deleteIfExists(unsynced);
            // The backups read pg_dump's stdout through a pipe, where pg_dump cannot seek back to rewrite its
            // table of contents; this row is the raw dump written the same way.
            t = System.nanoTime();
            exec(
                    List.of(
                            "bash",
                            "-c",
                            "set -o pipefail; " + Commands.quote(List.of(tools.tool("pg_dump"), "--format=custom"))
                                    + " | cat > " + Commands.quote(List.of(unsynced.toString()))),
                    environment);
            record(times, "pg_dump -Fc | cat > file (raw, through a pipe)", t);
            Files.deleteIfExists(unsynced);

            // The parallel directory format, measured against the single custom-format file.
            Path directoryDump = work.resolve("raw-dir");
            Folders.deleteRecursively(directoryDump);
            t = System.nanoTime();
            exec(
                    List.of(tools.tool("pg_dump"), "--format=directory", "--jobs=2", "--file=" + directoryDump),
                    environment);
            record(times, "pg_dump -Fd -j 2 (raw, parallel directory)", t);
            try (var files = Files.walk(directoryDump)) {
                sizes.put(
                        "pg_dump -Fd -j 2 (raw, parallel directory)",
                        files.filter(Files::isRegularFile)
                                .mapToLong(file -> file.toFile().length())
                                .sum());
            }
            Folders.deleteRecursively(directoryDump);

            Backup plain = backup(
                    work,
                    "plain-" + round,
                    endpoint,
                    tools,
                    null,
                    critical,
                    times,
                    sizes,
                    "backup full, plain (dump + check)");
            Backup sealed = backup(
                    work,
                    "enc-" + round,
                    endpoint,
                    tools,
                    encryption,
                    critical,
                    times,
                    sizes,
                    "backup full, encrypted (dump + check)");
            // Like for like: the same backups with pg_dump's default compression (level 6), as the raw row.
            for (BackupKey sealing : java.util.Arrays.asList(null, encryption)) {
                Backup likeForLike = backup(
                        work,
                        "z6-" + round + (sealing == null ? "" : "-enc"),
                        endpoint,
                        tools,
                        sealing,
                        critical,
                        times,
                        sizes,
                        "backup full, " + (sealing == null ? "plain" : "encrypted")
                                + ", pg_dump's default compression (like for like)",
                        0,
                        LogicalDump.PG_DUMP_DEFAULT);
                Folders.deleteRecursively(Path.of(likeForLike.directory()));
            }

            Backup sealedChecksummed = backup(
                    work,
                    "enc-sum-" + round,
                    endpoint,
                    tools,
                    encryption,
                    checksummed,
                    times,
                    sizes,
                    "backup full, encrypted, row checksums on (opt-in)");
            isolatedPhases(raw, endpoint, tools, encryption, critical, checksummed, environment);

            String scratch = "bench_raw_restore";
            t = System.nanoTime();
            exec(List.of(BIN + "/createdb", scratch), environment);
            exec(
                    List.of(
                            tools.tool("pg_restore"),
                            "--dbname=" + scratch,
                            "--no-owner",
                            "--exit-on-error",
                            raw.toString()),
                    environment);
            record(times, "createdb + pg_restore (raw)", t);
            exec(List.of(BIN + "/dropdb", scratch), environment);

            drill(
                    new RestoreDrill(new PgRestore(tools, null), endpoint, Duration.ofHours(1)),
                    plain,
                    times,
                    "drill, plain (restore + compare)");
            drill(
                    new RestoreDrill(new PgRestore(tools, encryption), endpoint, Duration.ofHours(1)),
                    sealed,
                    times,
                    "drill, encrypted (restore + compare)");
            drill(
                    new RestoreDrill(new PgRestore(tools, encryption), endpoint, Duration.ofHours(1)),
                    sealedChecksummed,
                    times,
                    "drill, encrypted, row checksums on (opt-in)");
            Folders.deleteRecursively(Path.of(sealedChecksummed.directory()));
            // The directory-format option (apintake.backup.format=directory, jobs 2), as the application runs it.
            Backup directoryBackup = backup(
                    work,
                    "dir-" + round,
                    endpoint,
                    tools,
                    encryption,
                    critical,
                    times,
                    sizes,
                    "backup full, directory -j 2, encrypted (dump + seal + check)",
                    2,
                    LogicalDump.DEFAULT_COMPRESS_LEVEL);
            drill(
                    new RestoreDrill(new PgRestore(tools, encryption), endpoint, Duration.ofHours(1), 2),
                    directoryBackup,
                    times,
                    "drill, directory -j 2, encrypted (restore + compare)");
            Folders.deleteRecursively(Path.of(directoryBackup.directory()));

            Path rawBase = work.resolve("raw-base");
            Folders.deleteRecursively(rawBase);
            t = System.nanoTime();
            exec(
                    List.of(
                            tools.tool("pg_basebackup"),
                            "--pgdata=" + rawBase,
                            "--format=plain",
                            "--wal-method=stream",
                            "--checkpoint=fast"),
                    environment);
            record(times, "pg_basebackup (raw)", t);
            Folders.deleteRecursively(rawBase);
            Path ours = Files.createDirectories(work.resolve("base-" + round));
            t = System.nanoTime();
            new BaseBackup(tools, endpoint, Duration.ofHours(1), null).take(round, ours, pid -> {});
            record(times, "base backup (pg_basebackup + pg_verifybackup)", t);
            Folders.deleteRecursively(ours);
            Folders.deleteRecursively(Path.of(plain.directory()));
            Folders.deleteRecursively(Path.of(sealed.directory()));
        }

        String machine = machine() + "; load average (1, 5, 15 min) " + loadAtStart + " at the start of the rounds, "
                + loadAverage() + " at the end";
        String report = report(times, sizes, databaseSize, machine);
        System.out.println();
        System.out.println(report);
        write(basedir.resolve("docs/benchmarks.md"), report);
        log("Written to docs/benchmarks.md");
    }

    private static Backup backup(
            Path work,
            String name,
            DatabaseEndpoint endpoint,
            PostgresTools tools,
            BackupKey encryption,
            CriticalTables critical,
            Map<String, List<Double>> times,
            Map<String, Long> sizes,
            String label)
            throws Exception {
        return backup(
                work,
                name,
                endpoint,
                tools,
                encryption,
                critical,
                times,
                sizes,
                label,
                0,
                LogicalDump.DEFAULT_COMPRESS_LEVEL);
    }

    private static Backup backup(
            Path work,
            String name,
            DatabaseEndpoint endpoint,
            PostgresTools tools,
            BackupKey encryption,
            CriticalTables critical,
            Map<String, List<Double>> times,
            Map<String, Long> sizes,
            String label,
            int directoryJobs,
            int compressLevel)
            throws Exception {
        Path directory = Files.createDirectories(work.resolve(name));
        long t = System.nanoTime();
        LogicalDump.Result result;
        long connected;
        long dumped;
        try (Connection holder = endpoint.connect()) {
            connected = System.nanoTime();
            result = new LogicalDump(
                            tools,
                            endpoint,
                            encryption,
                            critical,
                            Duration.ofHours(1),
                            600,
                            directoryJobs,
                            compressLevel)
                    .dump(BackupKind.FULL, holder, directory, pid -> CpuSampler.startOn(pid, endpoint), bytes -> {});
            dumped = System.nanoTime();
        }
        long closed = System.nanoTime();
        ArchiveCheck.check(directory, result.files(), result.tableOfContents(), result.tables(), result.dataTables());
        Backup backup = new Backup(
                1,
                BackupKind.FULL,
                BackupStatus.SUCCEEDED,
                "api",
                directory.toString(),
                encryption != null,
                Instant.now(),
                Instant.now(),
                0L,
                result.sizeBytes(),
                DATABASE,
                result.serverVersion(),
                result.toolVersion(),
                result.files(),
                result.tables(),
                null,
                null,
                null,
                null,
                null);
        ManifestFile.write(directory, backup, encryption == null ? "none" : "openpgp");
        long end = System.nanoTime();
        CpuSampler.stop(label);
        record(times, label, t);
        phase(label + ": connect", (connected - t) / 1e6);
        result.phaseMillis().forEach((phase, millis) -> phase(label + ": " + phase, millis));
        phase(label + ": disconnect", (closed - dumped) / 1e6);
        phase(label + ": check + manifest", (end - closed) / 1e6);
        if (PROFILE > 0) {
            log("    " + label + " connect " + (connected - t) / 1_000_000 + " ms, " + result.phaseMillis()
                    + ", disconnect " + (closed - dumped) / 1_000_000 + " ms, check + manifest "
                    + (end - closed) / 1_000_000 + " ms");
        }
        sizes.put(label, result.sizeBytes());
        return backup;
    }

    /** The -Dprofile mode: raw dumps and full backups alternating, the medians of every timeline entry. */
    private static void profile(
            Path work,
            DatabaseEndpoint endpoint,
            PostgresTools tools,
            BackupKey encryption,
            CriticalTables critical,
            Map<String, String> environment,
            Map<String, List<Double>> times,
            Map<String, Long> sizes)
            throws Exception {
        // -Dvariants=1,default,...: the backups at these pg_dump compression levels, interleaved within every round.
        List<String> variants =
                List.of(System.getProperty("variants", "1,default").split(","));
        for (int round = 1; round <= PROFILE; round++) {
            log("Profile round " + round + "/" + PROFILE + ", load " + loadAverage());
            Path raw = work.resolve("raw.dump");
            Files.deleteIfExists(raw);
            long t = System.nanoTime();
            sampledExec(List.of(tools.tool("pg_dump"), "--format=custom", "--file=" + raw), environment, endpoint);
            CpuSampler.stop("pg_dump -Fc (raw)");
            record(times, "pg_dump -Fc (raw)", t);
            sizes.put("pg_dump -Fc (raw)", Files.size(raw));
            String rawLevel = System.getProperty("rawCompress", "1");
            if (!rawLevel.isEmpty()) {
                Files.deleteIfExists(raw);
                String label = "pg_dump -Fc -Z" + rawLevel + " (raw)";
                t = System.nanoTime();
                sampledExec(
                        List.of(tools.tool("pg_dump"), "--format=custom", "--compress=" + rawLevel, "--file=" + raw),
                        environment,
                        endpoint);
                CpuSampler.stop(label);
                record(times, label, t);
                sizes.put(label, Files.size(raw));
                Files.deleteIfExists(raw);
            }
            Path piped = work.resolve("raw-pipe.dump");
            t = System.nanoTime();
            sampledExec(
                    List.of(
                            "bash",
                            "-c",
                            "set -o pipefail; " + Commands.quote(List.of(tools.tool("pg_dump"), "--format=custom"))
                                    + " | cat > " + Commands.quote(List.of(piped.toString()))),
                    environment,
                    endpoint);
            CpuSampler.stop("pg_dump -Fc | cat > file (raw, through a pipe)");
            record(times, "pg_dump -Fc | cat > file (raw, through a pipe)", t);
            Files.deleteIfExists(piped);
            List<String> order = new ArrayList<>(variants);
            java.util.Collections.rotate(order, round);
            for (String variant : order) {
                int level = variant.equals("default") ? LogicalDump.PG_DUMP_DEFAULT : Integer.parseInt(variant);
                for (BackupKey key : java.util.Arrays.asList(null, encryption)) {
                    String label = (key == null ? "backup full, plain" : "backup full, encrypted") + " [-Z"
                            + (level < 0 ? " default" : String.valueOf(level)) + "]";
                    Backup backup = backup(
                            work,
                            "p-" + round + (key == null ? "" : "-enc"),
                            endpoint,
                            tools,
                            key,
                            critical,
                            times,
                            sizes,
                            label,
                            0,
                            level);
                    Folders.deleteRecursively(Path.of(backup.directory()));
                }
            }
            Files.deleteIfExists(raw);
        }
        double rawDump = median(times.get("pg_dump -Fc (raw)"));
        System.out.println("\n| what | median s | all runs s | vs raw | bytes |\n|---|---:|---|---:|---:|");
        times.forEach((label, runs) -> System.out.printf(
                "| %s | %.3f | %s | %.3fx | %s |%n",
                label,
                median(runs),
                joined(runs, "%.2f"),
                median(runs) / rawDump,
                sizes.containsKey(label) ? String.format("%,d", sizes.get(label)) : ""));
        System.out.println("\n| timeline entry (ms) | median | all runs |\n|---|---:|---|");
        PHASES.forEach(
                (name, runs) -> System.out.printf("| %s | %.0f | %s |%n", name, median(runs), joined(runs, "%.0f")));
    }

    /** A command whose pg_dump child (and its backend) the CpuSampler watches. */
    private static void sampledExec(List<String> command, Map<String, String> environment, DatabaseEndpoint endpoint)
            throws IOException, InterruptedException {
        ProcessBuilder process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        process.environment().keySet().removeIf(key -> key.startsWith("PG"));
        process.environment().putAll(environment);
        Process started = process.start();
        CpuSampler.startOn(started.pid(), endpoint);
        if (started.waitFor() != 0) {
            throw new IOException(command + " failed");
        }
    }

    /**
     * While one dump runs: pg_dump's CPU (utime + stime from /proc), its backend's CPU (found by
     * application_name in pg_stat_activity), the share of 10 ms samples in which pg_dump sleeps in
     * pipe_write (blocked on a full pipe), and the JVM's whole CPU; medians printed per label.
     */
    static final class CpuSampler implements Runnable {
        private static CpuSampler current;
        private final long root;
        private final DatabaseEndpoint endpoint;
        private volatile boolean stop;
        private final Thread thread;
        private long dumpPid = -1;
        private final Map<Long, Long> backends = new java.util.HashMap<>();
        private long dumpTicks;
        private volatile long backendTicks;
        private int samples;
        private int pipeBlocked;
        private final long jvmCpuStart = jvmCpu();

        private CpuSampler(long root, DatabaseEndpoint endpoint) {
            this.root = root;
            this.endpoint = endpoint;
            this.thread = new Thread(this, "bench-cpu-sampler");
            thread.setDaemon(true);
        }

        static void startOn(long pid, DatabaseEndpoint endpoint) {
            current = new CpuSampler(pid, endpoint);
            current.thread.start();
        }

        static long jvmCpu() {
            return ((com.sun.management.OperatingSystemMXBean)
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        static void stop(String label) throws InterruptedException {
            CpuSampler sampler = current;
            current = null;
            if (sampler == null) {
                return;
            }
            long jvm = (jvmCpu() - sampler.jvmCpuStart) / 1_000_000;
            sampler.stop = true;
            sampler.thread.join();
            phase(label + ": cpu pg_dump ms", sampler.dumpTicks * 10.0);
            phase(label + ": cpu backend ms", sampler.backendTicks * 10.0);
            phase(label + ": cpu jvm ms", jvm);
            phase(
                    label + ": pg_dump blocked on pipe %",
                    sampler.samples == 0 ? 0 : 100.0 * sampler.pipeBlocked / sampler.samples);
        }

        @Override
        public void run() {
            try (Connection connection = endpoint.connect()) {
                while (!stop) {
                    if (dumpPid < 0) {
                        dumpPid = ProcessHandle.of(root)
                                .flatMap(handle -> java.util.stream.Stream.concat(
                                                java.util.stream.Stream.of(handle), handle.descendants())
                                        .filter(child -> child.info()
                                                .command()
                                                .map(c -> c.endsWith("/pg_dump"))
                                                .orElse(false))
                                        .findFirst())
                                .map(ProcessHandle::pid)
                                .orElse(-1L);
                    }
                    if (dumpPid > 0 && samples % 20 == 0) {
                        try (var rows = connection
                                .createStatement()
                                .executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name IN"
                                        + " ('pg_dump', 'ap-intake-backup') AND pid <> pg_backend_pid()")) {
                            while (rows.next()) {
                                backends.putIfAbsent(rows.getLong(1), 0L);
                            }
                        }
                    }
                    if (dumpPid > 0) {
                        String[] stat = stat(dumpPid);
                        if (stat != null) {
                            dumpTicks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                            try {
                                if (Files.readString(Path.of("/proc/" + dumpPid + "/wchan"))
                                        .contains("pipe_write")) {
                                    pipeBlocked++;
                                }
                            } catch (IOException gone) {
                                // exited
                            }
                        }
                        samples++;
                    }
                    for (var backend : backends.entrySet()) {
                        String[] stat = stat(backend.getKey());
                        if (stat != null) {
                            backend.setValue(Long.parseLong(stat[11]) + Long.parseLong(stat[12]));
                        }
                    }
                    backendTicks = backends.values().stream()
                            .mapToLong(Long::longValue)
                            .sum();
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                log("sampler: " + e);
            }
        }

        /** Fields after the command name: [0] is the state, [11] utime, [12] stime. */
        private static String[] stat(long pid) {
            try {
                String text = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return text.substring(text.lastIndexOf(')') + 2).split(" ");
            } catch (IOException | RuntimeException gone) {
                return null;
            }
        }
    }

    private static String joined(List<Double> values, String format) {
        return values.stream()
                .map(v -> String.format(format, v))
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    private static void drill(RestoreDrill drill, Backup backup, Map<String, List<Double>> times, String label)
            throws Exception {
        var result = drill.run(backup, Path.of(backup.directory()));
        times.computeIfAbsent(label, k -> new ArrayList<>()).add(result.restoreMillis() / 1000.0);
        log(String.format("  %-48s %8.2f s %s", label, result.restoreMillis() / 1000.0, result.phaseMillis()));
        result.phaseMillis().forEach((phase, millis) -> phase(label + ": " + phase, millis));
    }

    /** Phase durations in milliseconds, per "row: phase", in the order first seen. */
    private static final Map<String, List<Double>> PHASES = new LinkedHashMap<>();

    private static void phase(String name, double millis) {
        PHASES.computeIfAbsent(name, k -> new ArrayList<>()).add(millis);
    }

    /**
     * The pieces of a backup, each alone on an otherwise idle database (in the backup they overlap): the
     * old and new critical-table figures on a snapshot, the roles dump, the listing of an archive, and the
     * Java pipe (SHA-256, OpenPGP) over the raw dump file read from the page cache.
     */
    private static void isolatedPhases(
            Path raw,
            DatabaseEndpoint endpoint,
            PostgresTools tools,
            BackupKey encryption,
            CriticalTables critical,
            CriticalTables checksummed,
            Map<String, String> environment)
            throws Exception {
        try (Connection connection = endpoint.connect()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long t = System.nanoTime();
            try (var rows = connection.createStatement().executeQuery("SELECT pg_export_snapshot()")) {
                rows.next();
            }
            critical.dataTables(connection);
            phase("alone: snapshot export + partition lookup", (System.nanoTime() - t) / 1e6);
            t = System.nanoTime();
            critical.measure(connection);
            phase("alone: exact counts of the 6 critical tables", (System.nanoTime() - t) / 1e6);
            t = System.nanoTime();
            checksummed.measure(connection);
            phase("alone: counts + md5 checksums of the 6 critical tables", (System.nanoTime() - t) / 1e6);
            connection.rollback();
        }
        long t = System.nanoTime();
        Path scratchFile = raw.resolveSibling("phase.out");
        exec(
                List.of(
                        tools.tool("pg_dumpall"),
                        "--roles-only",
                        "--no-role-passwords",
                        "--no-sync",
                        "--file=" + scratchFile),
                environment);
        phase("alone: pg_dumpall --roles-only", (System.nanoTime() - t) / 1e6);
        t = System.nanoTime();
        exec(List.of(tools.tool("pg_restore"), "--list", "--file=" + scratchFile, raw.toString()), environment);
        Files.deleteIfExists(scratchFile);
        phase("alone: pg_restore --list of the raw dump", (System.nanoTime() - t) / 1e6);
        byte[] buffer = new byte[1 << 16];
        t = System.nanoTime();
        try (var in = Files.newInputStream(raw);
                var out = new java.security.DigestOutputStream(
                        java.io.OutputStream.nullOutputStream(), java.security.MessageDigest.getInstance("SHA-256"))) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        phase("alone: SHA-256 of the raw dump (Java)", (System.nanoTime() - t) / 1e6);
        t = System.nanoTime();
        try (var in = Files.newInputStream(raw);
                var out = encryption.encrypting(
                        new java.security.DigestOutputStream(
                                java.io.OutputStream.nullOutputStream(),
                                java.security.MessageDigest.getInstance("SHA-256")),
                        "raw.dump")) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        phase("alone: OpenPGP + SHA-256 of the raw dump (Java)", (System.nanoTime() - t) / 1e6);
    }

    private static void migrate(Connection connection) throws Exception {
        var database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        Scope.child(
                Map.of(
                        Scope.Attr.resourceAccessor.name(),
                        new ClassLoaderResourceAccessor(BackupBenchmark.class.getClassLoader()),
                        "liquibase.analytics.enabled",
                        false),
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, Migrations.CHANGELOG)
                        .execute());
    }

    /** 1 M invoices with an extraction and a validation each, some exceptions and staged exports, 1,000 vendors. */
    private static void fill(Connection connection) throws Exception {
        connection.setAutoCommit(true); // Liquibase leaves it off; VACUUM needs it
        try (var statement = connection.createStatement()) {
            statement.execute(
                    "INSERT INTO vendors (name, vat_id) SELECT 'Vendor ' || g, 'DE' || (100000000 + g) FROM generate_series(1, 1000) g");
            statement.execute("""
                    INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, vendor_id, invoice_number,
                                          issue_date, currency, total_net, total_vat, total_gross, amount_due, workflow_status, created_at)
                    SELECT encode(sha256(int8send(g)), 'hex'), 'inv-' || g || '.xml', 'application/xml', 2000 + g % 5000,
                           1 + g % 1000, 'INV-' || g, date '2024-01-01' + g % 700, 'EUR',
                           round((g % 10000) * 1.37, 2), round((g % 10000) * 0.26, 2), round((g % 10000) * 1.63, 2),
                           round((g % 10000) * 1.63, 2),
                           (ARRAY['RECEIVED','EXTRACTED','VALIDATED','APPROVED','EXPORTED'])[1 + g % 5],
                           timestamptz '2024-01-01' + g * interval '30 seconds'
                    FROM generate_series(1, """ + INVOICES + ") g");
            statement.execute("""
                    INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json, created_at)
                    SELECT id, 'UBL', jsonb_build_object('number', invoice_number, 'total', total_gross),
                           jsonb_build_object('overall', (id % 100) / 100.0), created_at
                    FROM invoices""");
            statement.execute("""
                    INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                    SELECT id, 'BR-CO-15', id % 7 <> 0, created_at FROM invoices""");
            statement.execute(
                    "INSERT INTO exceptions (invoice_id, type, detail) SELECT id, 'TOTALS_MISMATCH', 'seeded' FROM invoices WHERE id % 20 = 0");
            statement.execute("INSERT INTO staged_exports (invoice_id) SELECT id FROM invoices WHERE id % 10 = 0");
            statement.execute("VACUUM ANALYZE");
        }
    }

    private static void exec(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        Commands.check(command, environment, Duration.ofHours(1));
    }

    private static void record(Map<String, List<Double>> times, String label, long startNanos) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        times.computeIfAbsent(label, k -> new ArrayList<>()).add(s);
        log(String.format("  %-48s %8.2f s", label, s));
    }

    private static String report(
            Map<String, List<Double>> times, Map<String, Long> sizes, String databaseSize, String machine) {
        double rawDump = median(times.get("pg_dump -Fc (raw)"));
        double rawRestore = median(times.get("createdb + pg_restore (raw)"));
        double rawBase = median(times.get("pg_basebackup (raw)"));
        StringBuilder out = new StringBuilder();
        out.append(String.format("## Backups and restore drills on %,d invoices%n%n", INVOICES));
        out.append("Command: `scripts/benchmark-backups.sh` (")
                .append(ROUNDS)
                .append(" rounds, medians; each round runs the")
                .append(" baseline and ours back to back on the same data). Run on ")
                .append(Instant.now().toString(), 0, 10)
                .append(".\n\n");
        out.append("Machine: ").append(machine).append("\n\n");
        out.append("Data: ")
                .append(String.format("%,d", INVOICES))
                .append(" invoices, as many extractions and validations, ")
                .append(INVOICES / 20)
                .append(" exceptions, ")
                .append(INVOICES / 10)
                .append(" staged exports, 1,000 vendors;")
                .append(" database size ")
                .append(databaseSize)
                .append(" (with the seven indexes).\n\n");
        out.append("| what | median s | all runs s | vs baseline | file size |\n|---|---:|---|---:|---:|\n");
        for (var entry : times.entrySet()) {
            String label = entry.getKey();
            double median = median(entry.getValue());
            double baseline = label.startsWith("drill") || label.contains("pg_restore")
                    ? rawRestore
                    : label.contains("base") ? rawBase : rawDump;
            String runs = entry.getValue().stream()
                    .map(v -> String.format("%.2f", v))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("");
            out.append(String.format(
                    "| %s | %.2f | %s | %.2fx | %s |%n",
                    label,
                    median,
                    runs,
                    median / baseline,
                    sizes.containsKey(label) ? String.format("%,d", sizes.get(label)) : ""));
        }
        out.append("\nPhases (milliseconds; inside a backup the counts and the roles run beside pg_dump, so they"
                + " overlap it; \"alone\" rows ran by themselves on the idle database):\n\n");
        out.append("| phase | median ms | all runs ms |\n|---|---:|---|\n");
        for (var entry : PHASES.entrySet()) {
            String runs = entry.getValue().stream()
                    .map(v -> String.format("%.0f", v))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("");
            out.append(String.format("| %s | %.0f | %s |%n", entry.getKey(), median(entry.getValue()), runs));
        }
        out.append("""

                - Baselines: `pg_dump -Fc` for the backups, `createdb` + `pg_restore` for the drills, plain `pg_basebackup`
                  for the base backup. "vs baseline" is median / median of the baseline in the same run.
                - "backup full" is what the application does: pg_dump in the snapshot it exported, streamed through
                  SHA-256 (and OpenPGP when encrypted) into the file while `pg_restore --list` reads its head, with the
                  exact counts of the six critical tables (same snapshot) and the roles (`pg_dumpall --roles-only`)
                  beside it, then the cheap check (sizes, the listing; no second read) and the manifest; the files are
                  forced to the disk (fsync) as pg_dump does with its own. "row checksums on" adds an md5
                  of every row of the six tables (`apintake.backup.critical-checksums=true`, the default before).
                - "drill" is the measured restore time recorded as RTO: create the scratch database, pg_restore (the
                  archive fed to pg_restore's stdin, decrypted on the fly and hashed in the same read), then recount
                  the critical tables (and checksum them, when the backup recorded checksums).
                - The base backup adds `pg_verifybackup`, which re-reads every file and checks its SHA-256.
                """);
        return out.toString();
    }

    private static void write(Path file, String section) throws IOException {
        String start = "<!-- backup-benchmark:start -->";
        String end = "<!-- backup-benchmark:end -->";
        String block = start + "\n" + section + end + "\n";
        String text = Files.exists(file)
                ? Files.readString(file)
                : "# Benchmarks\n\nEach section is written by the program its command runs; numbers are measured, never edited by hand.\n\n";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        text = from >= 0 && to > from
                ? text.substring(0, from) + block + text.substring(to + end.length() + 1)
                : text + block;
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name"))
                .findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .orElse("unknown CPU");
        long memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                        .filter(line -> line.startsWith("MemTotal"))
                        .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                        .findFirst()
                        .orElse(0)
                / 1024
                / 1024;
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memory + " GiB RAM, Java "
                + System.getProperty("java.version") + ", " + new PostgresTools(Path.of(BIN), "").version("pg_dump")
                + ", server and tools on the same machine, data on local disk";
    }

    /** The first three fields of /proc/loadavg: on a shared machine the ratios mean little without them. */
    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return fields[0] + " / " + fields[1] + " / " + fields[2];
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
    }
}
