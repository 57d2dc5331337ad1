package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.LongConsumer;

/**
 * One pg_dump in custom format (restorable with the plain pg_restore), streamed through the
 * optional OpenPGP encryption into a 0600 file while its SHA-256 is computed and, in the same pass,
 * its head is fed to {@code pg_restore --list} for the table of contents: the data is read once, never
 * again after writing (a backup then costs what a raw {@code pg_dump -Fc} costs). The critical tables are counted
 * in the snapshot that pg_dump dumps (pg_export_snapshot + --snapshot), so the manifest's row counts
 * are exactly what the archive holds, however busy the database is; the counts and, for a full backup,
 * the roles dump run beside pg_dump, not after it.
 */
public final class LogicalDump {

    /**
     * What the dump produced; serverVersion is the server's own version string. phaseMillis: how long each
     * phase took, in order ("snapshot", then "pg_dump" (the dump streamed through SHA-256 and OpenPGP into
     * the file, the listing included), and, run beside it, "critical counts" and "roles"); for the logs and
     * the benchmark.
     */
    public record Result(
            List<BackupFile> files,
            long sizeBytes,
            List<TableCount> tables,
            String serverVersion,
            String toolVersion,
            List<String> tableOfContents,
            Map<String, List<String>> dataTables,
            Map<String, Long> phaseMillis) {}

    private final PostgresTools tools;
    private final DatabaseEndpoint endpoint;
    private final BackupKey encryption;
    private final CriticalTables critical;
    private final Duration timeout;
    private final int lockWaitSeconds;
    private final int directoryJobs;
    private final int compressLevel;

    /**
     * pg_dump's --compress of the product (apintake.backup.compress-level): zlib level 1. On 2 cores pg_dump's
     * zlib at its default level 6 is most of a backup's CPU; level 1 needed 40 % of its CPU for a file 12 % larger
     * (docs/backup-cost-3.md). {@link #PG_DUMP_DEFAULT} leaves the flag out.
     */
    public static final int DEFAULT_COMPRESS_LEVEL = 1;

    /** No --compress flag: pg_dump's own default (zlib level 6 for the custom and directory formats in 15). */
    public static final int PG_DUMP_DEFAULT = -1;

    /** encryption null: the dump is written as pg_dump produces it. One custom-format file. */
    public LogicalDump(
            PostgresTools tools,
            DatabaseEndpoint endpoint,
            BackupKey encryption,
            CriticalTables critical,
            Duration timeout,
            int lockWaitSeconds) {
        this(tools, endpoint, encryption, critical, timeout, lockWaitSeconds, 0, DEFAULT_COMPRESS_LEVEL);
    }

    /**
     * directoryJobs 0: one custom-format file (pg_dump -Fc), streamed. directoryJobs N > 0: the directory
     * format dumped by N parallel pg_dump workers ({@code pg_dump -Fd -j N}) into a private folder, then
     * every file of it written once more, encrypted, into {@code <db>.dir/} (pg_dump cannot stream this
     * format, so this costs a second read of the plain files, which are removed at once).
     */
    public LogicalDump(
            PostgresTools tools,
            DatabaseEndpoint endpoint,
            BackupKey encryption,
            CriticalTables critical,
            Duration timeout,
            int lockWaitSeconds,
            int directoryJobs) {
        this(tools, endpoint, encryption, critical, timeout, lockWaitSeconds, directoryJobs, DEFAULT_COMPRESS_LEVEL);
    }

    /** compressLevel: pg_dump's --compress, 0-9, or {@link #PG_DUMP_DEFAULT}. */
    public LogicalDump(
            PostgresTools tools,
            DatabaseEndpoint endpoint,
            BackupKey encryption,
            CriticalTables critical,
            Duration timeout,
            int lockWaitSeconds,
            int directoryJobs,
            int compressLevel) {
        if (compressLevel < PG_DUMP_DEFAULT || compressLevel > 9) {
            throw new IllegalArgumentException("pg_dump's compression level is 0-9, not " + compressLevel);
        }
        this.compressLevel = compressLevel;
        this.tools = tools;
        this.endpoint = endpoint;
        this.encryption = encryption;
        this.critical = critical;
        this.timeout = timeout;
        this.lockWaitSeconds = lockWaitSeconds;
        this.directoryJobs = directoryJobs;
    }

    /** The folder of a directory-format backup, beside manifest.json. */
    public static String directoryName(String database) {
        return database + ".dir";
    }

    /** True for the files of a directory-format dump (named {@code <db>.dir/<file>} in the manifest). */
    public static boolean inDumpDirectory(String fileName) {
        return fileName.contains("/");
    }

    public static String fileName(String database, boolean encrypted) {
        String plain = database + ".dump";
        return encrypted ? BackupKey.encryptedName(plain) : plain;
    }

    /**
     * snapshotHolder: a connection outside the pool that stays open for the whole dump (it also holds
     * the advisory lock); its transaction is rolled back at the end. pid receives pg_dump's process id.
     */
    public Result dump(BackupKind kind, Connection snapshotHolder, Path directory, LongConsumer pid, LongConsumer bytes)
            throws IOException, SQLException, InterruptedException {
        long started = System.nanoTime();
        snapshotHolder.setAutoCommit(false);
        snapshotHolder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            String snapshot;
            String serverVersion;
            try (var statement = snapshotHolder.createStatement();
                    var rows = statement.executeQuery("SELECT pg_export_snapshot(), version()")) {
                rows.next();
                snapshot = rows.getString(1);
                serverVersion = rows.getString(2);
            }
            // pg_dump needs the partitions' names before it starts only for a critical dump; every other kind
            // looks them up beside it.
            Map<String, List<String>> partitions =
                    kind == BackupKind.CRITICAL ? critical.dataTables(snapshotHolder) : null;
            Map<String, Long> phases = new java.util.LinkedHashMap<>();
            phases.put("snapshot", millisSince(started));
            Path file = directory.resolve(fileName(endpoint.database(), encryption != null));
            Path listing = java.nio.file.Files.createTempFile("ap-intake-toc", ".txt");
            Beside beside = new Beside(kind, snapshotHolder, directory, partitions);
            try {
                List<BackupFile> written;
                Timeline timeline = new Timeline();
                long dumpStart = System.nanoTime();
                try {
                    List<String> command = command(kind, snapshot, partitions == null ? Map.of() : partitions);
                    written = directoryJobs > 0
                            ? runDirectory(command, directory, listing, pid, bytes, timeline, beside::start)
                            : List.of(run(command, file, listing, pid, bytes, timeline, beside::start));
                    phases.put("pg_dump", millisSince(dumpStart));
                } finally {
                    // Never leave the holder's connection in use by the counter when the caller rolls back,
                    // nor a roles file being written when the caller removes a failed backup's folder.
                    beside.join();
                }
                Background<Measured> counting = beside.counting;
                Background<BackupFile> roles = beside.roles;
                Measured measured = counting.result();
                List<TableCount> tables = measured.tables();
                Map<String, List<String>> dataTables = measured.dataTables();
                phases.put("critical counts", counting.millis());
                List<BackupFile> files = new ArrayList<>(written);
                if (roles != null) {
                    files.add(roles.result());
                    phases.put("roles", roles.millis());
                }
                String toolVersion = beside.version.result();
                List<String> toc = java.nio.file.Files.readAllLines(listing);
                phases.put("before pg_dump", (timeline.spawned - started) / 1_000_000);
                timeline.put(phases, "critical counts from", counting.startedNanos());
                timeline.put(phases, "critical counts until", counting.endedNanos());
                if (roles != null) {
                    timeline.put(phases, "roles from", roles.startedNanos());
                    timeline.put(phases, "roles until", roles.endedNanos());
                }
                timeline.put(phases, "first byte at", timeline.firstByte);
                timeline.put(phases, "listing done at", timeline.listed);
                timeline.put(phases, "output ends at", timeline.endOfOutput);
                timeline.put(phases, "fsync'd at", timeline.closed);
                timeline.put(phases, "pg_dump exit seen at", timeline.exited);
                timeline.put(phases, "returns at", System.nanoTime());
                if (timeline.readerCpuNanos >= 0) {
                    phases.put("reader thread cpu", timeline.readerCpuNanos / 1_000_000);
                }
                return new Result(
                        List.copyOf(files),
                        files.stream().mapToLong(BackupFile::bytes).sum(),
                        tables,
                        serverVersion,
                        toolVersion,
                        toc,
                        dataTables,
                        java.util.Collections.unmodifiableMap(phases));
            } finally {
                java.nio.file.Files.deleteIfExists(listing);
            }
        } finally {
            snapshotHolder.rollback();
            snapshotHolder.setAutoCommit(true);
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Work beside pg_dump on a thread of its own, with its duration; its failure is rethrown by {@link #result}. */
    private static final class Background<T> {
        interface Work<T> {
            T call() throws Exception;
        }

        private final FutureTask<T> task;
        private final Thread thread;
        private volatile long millis;
        private volatile long startedNanos;
        private volatile long endedNanos;

        private Background(String name, Work<T> work) {
            this.task = new FutureTask<>(() -> {
                long start = System.nanoTime();
                startedNanos = start;
                try {
                    return work.call();
                } finally {
                    endedNanos = System.nanoTime();
                    millis = (endedNanos - start) / 1_000_000;
                }
            });
            this.thread = new Thread(task, name);
            thread.setDaemon(true);
        }

        static <T> Background<T> start(String name, Work<T> work) {
            Background<T> background = new Background<>(name, work);
            background.thread.start();
            return background;
        }

        void join() throws InterruptedException {
            thread.join();
        }

        long millis() {
            return millis;
        }

        long startedNanos() {
            return startedNanos;
        }

        long endedNanos() {
            return endedNanos;
        }

        T result() throws IOException, SQLException, InterruptedException {
            try {
                return task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                throw new IllegalStateException(thread.getName() + " failed", e.getCause());
            }
        }
    }

    private record Measured(Map<String, List<String>> dataTables, List<TableCount> tables) {}

    /**
     * What runs beside pg_dump, started once pg_dump and its lister are spawned (so none of it delays them):
     * the partition lookup (unless the command needed it first) and the exact counts on the snapshot holder
     * (same snapshot), the roles dump for a full backup (pg_dumpall, a process of its own: roles are not in
     * the snapshot), and the tool's version for the manifest. Exact counts cost milliseconds (an index-only
     * scan on a vacuumed table), the opt-in checksums a read of every row.
     */
    private final class Beside {
        private final BackupKind kind;
        private final Connection holder;
        private final Path directory;
        private final Map<String, List<String>> partitions;
        Background<Measured> counting;
        Background<BackupFile> roles;
        Background<String> version;

        Beside(BackupKind kind, Connection holder, Path directory, Map<String, List<String>> partitions) {
            this.kind = kind;
            this.holder = holder;
            this.directory = directory;
            this.partitions = partitions;
        }

        void start() {
            counting = Background.start(
                    "backup-critical-tables",
                    () -> new Measured(
                            partitions != null ? partitions : critical.dataTables(holder),
                            kind.hasData() ? critical.measure(holder) : List.of()));
            if (kind == BackupKind.FULL) {
                roles = Background.start("backup-roles", () -> roles(directory));
            }
            version = Background.start("backup-tool-version", () -> tools.version("pg_dump"));
        }

        void join() throws InterruptedException {
            for (Background<?> work : java.util.Arrays.asList(counting, roles, version)) {
                if (work != null) {
                    work.join();
                }
            }
        }
    }

    public static String rolesFileName(boolean encrypted) {
        return encrypted ? BackupKey.encryptedName(ROLES) : ROLES;
    }

    static final String ROLES = "roles.sql";

    /**
     * The cluster's roles beside a full backup (pg_dumpall --roles-only), so it restores into a fresh,
     * empty cluster: {@code psql -d postgres -f roles.sql} first. Without passwords: reading them needs a
     * superuser, and login roles get new passwords on a new cluster anyway (docs/backups-restore.md).
     */
    private BackupFile roles(Path directory) throws IOException, InterruptedException {
        Path file = directory.resolve(rolesFileName(encryption != null));
        MessageDigest sha256 = sha256();
        try (ToolProcess dumpall = ToolProcess.start(
                List.of(
                        tools.tool("pg_dumpall"),
                        "--roles-only",
                        "--no-role-passwords",
                        "--no-password",
                        "--database=" + endpoint.database()),
                endpoint.environment(),
                null,
                false)) {
            try (OutputStream sink = new DigestOutputStream(BackupArea.createDurableFile(file), sha256);
                    OutputStream target = encryption == null ? sink : encryption.encrypting(sink, ROLES);
                    InputStream source = dumpall.stdout()) {
                source.transferTo(target);
            }
            dumpall.awaitSuccess(timeout);
        }
        return new BackupFile(
                file.getFileName().toString(),
                java.nio.file.Files.size(file),
                HexFormat.of().formatHex(sha256.digest()));
    }

    /** dataTables: {@link CriticalTables#dataTables}; a critical dump names a partitioned table's partitions too. */
    List<String> command(BackupKind kind, String snapshot, Map<String, List<String>> dataTables) {
        List<String> command = new ArrayList<>(List.of(
                tools.tool("pg_dump"),
                "--format=custom",
                "--no-password",
                "--snapshot=" + snapshot,
                "--lock-wait-timeout=" + lockWaitSeconds + "s"));
        if (compressLevel >= 0) {
            command.add("--compress=" + compressLevel);
        }
        switch (kind) {
            case FULL -> command.add("--exclude-table-data=public.backups");
            case SCHEMA -> command.add("--schema-only");
            case DATA -> {
                command.add("--data-only");
                command.add("--exclude-table-data=public.backups");
            }
            case CRITICAL -> {
                command.add("--strict-names");
                var names = new java.util.LinkedHashSet<>(critical.names());
                critical.names().forEach(table -> names.addAll(dataTables.getOrDefault(table, List.of())));
                names.forEach(table -> command.add("--table=" + table));
            }
            case BASE -> throw new IllegalArgumentException("a base backup is not a pg_dump");
        }
        return command;
    }

    private BackupFile run(
            List<String> command,
            Path file,
            Path listing,
            LongConsumer pid,
            LongConsumer progress,
            Timeline timeline,
            Runnable spawned)
            throws IOException, InterruptedException {
        MessageDigest sha256 = sha256();
        try (ToolProcess dump = ToolProcess.start(command, endpoint.environment(), null, false);
                ToolProcess list =
                        ToolProcess.start(List.of(tools.tool("pg_restore"), "--list"), Map.of(), listing, true)) {
            timeline.spawned = System.nanoTime();
            pid.accept(dump.pid());
            spawned.run();
            long cpu = Timeline.threadCpu();
            try (OutputStream sink = new DigestOutputStream(BackupArea.createDurableFile(file), sha256);
                    OutputStream target = encryption == null
                            ? sink
                            : encryption.encrypting(sink, fileName(endpoint.database(), false));
                    InputStream source = dump.stdout()) {
                var tee = new TocTee(target, list.stdin(), progress, timeline);
                // pg_dump writes its stdout in pieces of a few KiB and the pipe hands them over as they come; they
                // are gathered into 1 MiB blocks before the digest, the cipher and the file see them (about 100
                // file writes per 100 MB instead of one per piece). Each read asks for at most the pipe's 64 KiB:
                // the JDK allocates a native buffer of the requested length for every read.
                byte[] block = new byte[1 << 20];
                int filled = 0;
                int n = source.read(block);
                timeline.firstByte = System.nanoTime();
                while (n >= 0) {
                    filled += n;
                    if (filled == block.length) {
                        tee.write(block, 0, filled);
                        filled = 0;
                    }
                    n = source.read(block, filled, Math.min(1 << 16, block.length - filled));
                }
                if (filled > 0) {
                    tee.write(block, 0, filled);
                }
                timeline.endOfOutput = System.nanoTime();
                tee.closeList();
            }
            timeline.closed = System.nanoTime();
            timeline.readerCpuNanos = cpu < 0 ? -1 : Timeline.threadCpu() - cpu;
            dump.awaitSuccess(timeout);
            timeline.exited = System.nanoTime();
            list.awaitSuccess(timeout);
        }
        long written = java.nio.file.Files.size(file);
        return new BackupFile(
                file.getFileName().toString(), written, HexFormat.of().formatHex(sha256.digest()));
    }

    /**
     * pg_dump -Fd -j N into a private folder inside the backup's directory, pg_restore --list on it, then
     * each file sealed (or copied, unencrypted) into {@code <db>.dir/} with its SHA-256 computed while it is
     * written; the plain folder is removed whatever happens.
     */
    private List<BackupFile> runDirectory(
            List<String> custom,
            Path directory,
            Path listing,
            LongConsumer pid,
            LongConsumer progress,
            Timeline timeline,
            Runnable spawned)
            throws IOException, InterruptedException {
        String folderName = directoryName(endpoint.database());
        Path plain = directory.resolve("." + folderName + ".plain");
        List<String> command = new ArrayList<>(custom);
        command.set(command.indexOf("--format=custom"), "--format=directory");
        command.add("--jobs=" + directoryJobs);
        command.add("--file=" + plain);
        try {
            try (ToolProcess dump = ToolProcess.start(command, endpoint.environment(), null, false)) {
                timeline.spawned = System.nanoTime();
                pid.accept(dump.pid());
                spawned.run();
                dump.awaitSuccess(timeout);
                timeline.exited = System.nanoTime();
            }
            try (ToolProcess list = ToolProcess.start(
                    List.of(tools.tool("pg_restore"), "--list", plain.toString()), Map.of(), listing, false)) {
                list.awaitSuccess(timeout);
            }
            Path sealed = directory.resolve(folderName);
            BackupArea.privateDirectory(sealed);
            List<Path> parts;
            try (var listed = java.nio.file.Files.list(plain)) {
                parts = listed.sorted().toList();
            }
            List<BackupFile> files = new ArrayList<>();
            long count = 0;
            byte[] buffer = new byte[1 << 16];
            for (Path part : parts) {
                String name = part.getFileName().toString();
                String stored = encryption == null ? name : BackupKey.encryptedName(name);
                MessageDigest sha256 = sha256();
                try (InputStream source = java.nio.file.Files.newInputStream(part);
                        OutputStream sink =
                                new DigestOutputStream(BackupArea.createDurableFile(sealed.resolve(stored)), sha256);
                        OutputStream target = encryption == null ? sink : encryption.encrypting(sink, name)) {
                    int n;
                    while ((n = source.read(buffer)) >= 0) {
                        target.write(buffer, 0, n);
                        count += n;
                        progress.accept(count);
                    }
                }
                java.nio.file.Files.delete(part);
                files.add(new BackupFile(
                        folderName + "/" + stored,
                        java.nio.file.Files.size(sealed.resolve(stored)),
                        HexFormat.of().formatHex(sha256.digest())));
            }
            return files;
        } finally {
            deleteQuietly(plain);
        }
    }

    private static void deleteQuietly(Path folder) throws IOException {
        if (!java.nio.file.Files.exists(folder)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(folder)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(path);
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * When the steps of one dump happened (System.nanoTime, 0 = not seen), reported as milliseconds after
     * pg_dump was spawned: where a backup spends wall time before, beside and after pg_dump (the benchmark
     * prints them; docs/backups-restore.md). readerCpuNanos: CPU time of the thread that drains pg_dump's pipe.
     */
    static final class Timeline {
        long spawned;
        long firstByte;
        long listed;
        long endOfOutput;
        long closed;
        long exited;
        long readerCpuNanos = -1;

        void put(Map<String, Long> phases, String name, long nanos) {
            if (nanos != 0 && spawned != 0) {
                phases.put(name, (nanos - spawned) / 1_000_000);
            }
        }

        static long threadCpu() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        }
    }

    /**
     * Writes the dump to the file and its first bytes to pg_restore --list, which reads the table of
     * contents at the head of the archive and exits; from then on only the file gets the data.
     */
    private static final class TocTee extends java.io.FilterOutputStream {
        private final LongConsumer progress;
        private final Timeline timeline;
        private OutputStream list;
        private long count;

        TocTee(OutputStream out, OutputStream list, LongConsumer progress, Timeline timeline) {
            super(out);
            this.list = list;
            this.progress = progress;
            this.timeline = timeline;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (list != null) {
                try {
                    list.write(b, off, len);
                } catch (IOException listerDone) {
                    // pg_restore --list read what it needs and exited; its exit code decides
                    closeList();
                }
            }
            count += len;
            progress.accept(count);
        }

        void closeList() {
            if (list != null) {
                try {
                    list.close();
                } catch (IOException alreadyGone) {
                    // the lister exited
                }
                list = null;
                timeline.listed = System.nanoTime();
            }
        }
    }
}
