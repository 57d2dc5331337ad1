package com.apintake.backup.control;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Proves a logical backup restores: into a new scratch database on the same server, with the plain
 * pg_restore (the archive's SHA-256 checked in the same read, pg_restore --exit-on-error), then the critical
 * tables' exact row counts (and checksums, when the backup recorded them) compared with the manifest. The
 * time from an empty database to compared data is the measured restore time (RTO). The scratch
 * database is dropped whatever happens. Needs a role that may create databases (and, for a full
 * backup, create the extensions the schema uses), the same a real restore needs.
 */
public final class RestoreDrill {

    /**
     * restoreMillis: create database + pg_restore + comparison; phaseMillis: the same split into "create
     * database", "pg_restore" (decryption and hashing included) and "critical counts".
     */
    public record Result(long restoreMillis, List<TableCount> restored, Map<String, Long> phaseMillis) {}

    private final PgRestore restore;
    private final DatabaseEndpoint endpoint;
    private final Duration timeout;
    private final int jobs;

    public RestoreDrill(PgRestore restore, DatabaseEndpoint endpoint, Duration timeout) {
        this(restore, endpoint, timeout, 1);
    }

    /** jobs: pg_restore --jobs for a directory-format backup (a custom-format one is restored from stdin). */
    public RestoreDrill(PgRestore restore, DatabaseEndpoint endpoint, Duration timeout, int jobs) {
        this.restore = restore;
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.jobs = Math.max(1, jobs);
    }

    public static String scratchDatabase(long backupId) {
        return "ap_intake_drill_" + backupId;
    }

    public Result run(Backup backup, Path directory) throws IOException, SQLException, InterruptedException {
        if (!backup.kind().drillable()) {
            throw new IllegalArgumentException(
                    "a " + backup.kind().label() + " backup cannot be restored into an empty database");
        }
        String scratch = scratchDatabase(backup.id());
        long start = System.nanoTime();
        try {
            Map<String, Long> phases = new java.util.LinkedHashMap<>();
            createEmpty(scratch);
            long mark = System.nanoTime();
            phases.put("create database", (mark - start) / 1_000_000);
            DatabaseEndpoint target = endpoint.withDatabase(scratch);
            Map<String, String> environment = target.environment();
            if (LogicalDump.inDumpDirectory(backup.files().get(0).name())) {
                restoreDirectory(backup, directory, scratch, environment);
            } else {
                restore.run(
                        List.of("--dbname=" + scratch, "--no-owner", "--exit-on-error"),
                        directory.resolve(backup.files().get(0).name()),
                        backup.encrypted(),
                        environment,
                        null,
                        timeout,
                        backup.files().get(0).sha256());
            }
            phases.put("pg_restore", (System.nanoTime() - mark) / 1_000_000);
            mark = System.nanoTime();
            List<TableCount> restored;
            try (Connection connection = target.connect()) {
                // Exact counts always; the per-row checksum only where the backup recorded one (the opt-in
                // apintake.backup.critical-checksums, or a backup of an earlier release).
                restored = backup.kind().hasData()
                        ? CriticalTables.measure(
                                connection,
                                backup.tables().stream().map(TableCount::table).toList(),
                                backup.tables().stream().anyMatch(table -> table.checksum() != null))
                        : List.of();
            }
            compare(backup.tables(), restored);
            phases.put("critical counts", (System.nanoTime() - mark) / 1_000_000);
            return new Result(
                    (System.nanoTime() - start) / 1_000_000, restored, java.util.Collections.unmodifiableMap(phases));
        } finally {
            drop(scratch);
        }
    }

    /**
     * A directory-format backup: every file of {@code <db>.dir/} decrypted (and its SHA-256 checked) into a
     * private folder inside the backup's directory, then {@code pg_restore --jobs=N} on it; the folder is
     * removed whatever happens.
     */
    private void restoreDirectory(Backup backup, Path directory, String scratch, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path opened = directory.resolve(".drill-" + backup.id());
        deleteFolder(opened);
        BackupArea.privateDirectory(opened);
        try {
            for (var file : backup.files()) {
                if (!LogicalDump.inDumpDirectory(file.name())) {
                    continue;
                }
                String name = Path.of(file.name()).getFileName().toString();
                String plain = backup.encrypted() && name.endsWith(OpenPgpEncryption.SUFFIX)
                        ? name.substring(0, name.length() - OpenPgpEncryption.SUFFIX.length())
                        : name;
                restore.open(directory.resolve(file.name()), backup.encrypted(), opened.resolve(plain), file.sha256());
            }
            restore.runOnFolder(
                    List.of("--dbname=" + scratch, "--no-owner", "--exit-on-error", "--jobs=" + jobs),
                    opened,
                    environment,
                    timeout);
        } finally {
            deleteFolder(opened);
        }
    }

    private static void deleteFolder(Path folder) throws IOException {
        if (!java.nio.file.Files.exists(folder)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(folder)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(path);
            }
        }
    }

    static void compare(List<TableCount> expected, List<TableCount> restored) throws IOException {
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            TableCount want = expected.get(i);
            TableCount got = restored.get(i);
            if (want.rows() != got.rows()) {
                differences.add(want.table() + ": " + want.rows() + " rows in the backup, " + got.rows() + " restored");
            } else if (want.checksum() != null && !want.checksum().equals(got.checksum())) {
                differences.add(want.table() + ": same row count but different contents (checksum)");
            }
        }
        if (!differences.isEmpty()) {
            throw new IOException("restored data differs from the manifest: " + String.join("; ", differences));
        }
    }

    private void createEmpty(String scratch) throws SQLException {
        drop(scratch);
        try (Connection connection = endpoint.connect();
                var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + scratch + " TEMPLATE template0");
        }
    }

    private void drop(String scratch) throws SQLException {
        try (Connection connection = endpoint.connect();
                var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
        }
    }
}
