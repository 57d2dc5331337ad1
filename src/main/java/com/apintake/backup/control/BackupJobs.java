package com.apintake.backup.control;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupAlert;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Runs backups, base backups and restore drills, one at a time across every instance of the
 * application: each job holds a PostgreSQL session-level advisory lock on its own connection (outside
 * the pool, whose leak timeout would reclaim it) from before its row exists until it ends. A job that
 * cannot start is refused at once with the reason; one that fails ends FAILED with its files removed
 * and an alert raised.
 */
@ApplicationScoped
public class BackupJobs {

    /** Why a job was not started. */
    public enum Refusal {
        TOOLS_MISSING,
        KEY_MISSING,
        BUSY,
        NOT_FOUND,
        NOT_VERIFIABLE
    }

    public static class Refused extends RuntimeException {
        private final Refusal reason;

        public Refused(Refusal reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public Refusal reason() {
            return reason;
        }
    }

    /** What a running job is doing on this instance; pid is the client tool's process while one runs. */
    public record Progress(String phase, Long pid, long bytesWritten) {}

    public record Started(long id, Future<?> done) {}

    /** "apintake" in ASCII: the advisory lock key every instance's backup jobs take. */
    static final long LOCK_KEY = 0x6170696E74616B65L;

    private static final Logger LOG = Logger.getLogger(BackupJobs.class.getName());

    @Resource(lookup = "jdbc/apintake")
    DataSource pool;

    @Resource
    ManagedExecutorService executor;

    @Inject
    BackupSettings settings;

    @Inject
    BackupAlerts alerts;

    private final Map<Long, Progress> progress = new ConcurrentHashMap<>();

    public BackupCatalog catalog() {
        return new BackupCatalog(pool);
    }

    public Optional<Progress> progress(long id) {
        return Optional.ofNullable(progress.get(id));
    }

    public Started backup(BackupKind kind, String triggeredBy) {
        PostgresTools tools = requireTools(kind.logical() ? PostgresTools.LOGICAL : PostgresTools.PHYSICAL);
        BackupKey encryption = settings.encrypt() ? requireKey() : null;
        DatabaseEndpoint endpoint = endpoint();
        Connection lock = lock(endpoint);
        try {
            failInterrupted();
            Backup row = catalog().insertRunning(kind, triggeredBy, encryption != null, endpoint.database());
            progress.put(row.id(), new Progress("starting", null, 0));
            Future<?> done = executor.submit(() -> runBackup(row, tools, endpoint, encryption, lock));
            return new Started(row.id(), done);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(lock);
            throw new IllegalStateException("Could not start the backup: " + e.getMessage(), e);
        }
    }

    public Started verify(long id, String triggeredBy) {
        PostgresTools tools = requireTools(PostgresTools.LOGICAL);
        Backup backup = find(id);
        if (!backup.usable()) {
            throw new Refused(
                    Refusal.NOT_VERIFIABLE,
                    "backup " + id + " is " + backup.status()
                            + ": only SUCCEEDED or VERIFIED backups can be restored in a drill");
        }
        if (!backup.kind().drillable()) {
            throw new Refused(
                    Refusal.NOT_VERIFIABLE,
                    "backup " + id + " is a " + backup.kind().label()
                            + " backup: a drill restores into an empty database, which needs a full, schema or critical backup"
                            + (backup.kind() == BackupKind.DATA
                                    ? " (load a data backup into a database that has the schema, see README)"
                                    : ""));
        }
        BackupKey encryption = backup.encrypted() ? requireKey() : null;
        DatabaseEndpoint endpoint = endpoint();
        Connection lock = lock(endpoint);
        progress.put(id, new Progress("restore drill", null, 0));
        try {
            Future<?> done = executor.submit(() -> runDrill(backup, tools, endpoint, encryption, lock, triggeredBy));
            return new Started(id, done);
        } catch (RuntimeException e) {
            progress.remove(id);
            closeQuietly(lock);
            throw e;
        }
    }

    /** The newest usable full backup, which the weekly drill verifies. */
    public Optional<Backup> newestFull() {
        try {
            return catalog().list(BackupKind.FULL, true, 1).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the backups table failed", e);
        }
    }

    public void alert(String kind, Long backupId, String summary, String reason) {
        alerts.raise(new BackupAlert(Instant.now(), backupId, kind, summary, reason));
    }

    private void runBackup(
            Backup row, PostgresTools tools, DatabaseEndpoint endpoint, BackupKey encryption, Connection lock) {
        long start = System.nanoTime();
        Path directory = null;
        BackupArea area = settings.area();
        try (lock) {
            directory = area.newBackupDirectory(row.id(), row.kind(), row.startedAt());
            catalog().directory(row.id(), directory.toString());
            Backup done;
            String phaseNote = "";
            if (row.kind().logical()) {
                phase(row.id(), "dumping");
                var dump = new LogicalDump(
                                tools,
                                endpoint,
                                encryption,
                                settings.criticalTables(),
                                settings.timeout(),
                                settings.lockWaitSeconds(),
                                settings.directoryJobs(),
                                settings.compressLevel())
                        .dump(row.kind(), lock, directory, pid -> pid(row.id(), pid), bytes -> bytes(row.id(), bytes));
                phaseNote = " (phases, ms: " + dump.phaseMillis() + ")";
                phase(row.id(), "checking (sizes, pg_restore --list)");
                ArchiveCheck.check(directory, dump.files(), dump.tableOfContents(), dump.tables(), dump.dataTables());
                done = row.locatedIn(directory.toString())
                        .succeeded(
                                Instant.now(),
                                millisSince(start),
                                dump.sizeBytes(),
                                dump.serverVersion(),
                                dump.toolVersion(),
                                dump.files(),
                                dump.tables(),
                                null);
            } else {
                phase(row.id(), "pg_basebackup and pg_verifybackup");
                String serverVersion = serverVersion(lock);
                var base = new BaseBackup(tools, endpoint, settings.timeout(), encryption)
                        .take(row.id(), directory, pid -> pid(row.id(), pid));
                done = row.locatedIn(directory.toString())
                        .succeeded(
                                Instant.now(),
                                millisSince(start),
                                base.sizeBytes(),
                                serverVersion,
                                base.toolVersion(),
                                base.files(),
                                List.of(),
                                base.walStart());
            }
            ManifestFile.write(directory, done, encryptionLabel(done));
            String phases = phaseNote;
            catalog()
                    .succeed(
                            row.id(),
                            new BackupCatalog.Outcome(
                                    done.finishedAt(),
                                    done.durationMillis(),
                                    done.sizeBytes(),
                                    done.serverVersion(),
                                    done.toolVersion(),
                                    done.files(),
                                    done.tables(),
                                    done.walStart()));
            LOG.info(() -> "Backup " + row.id() + " (" + row.kind().label() + ") succeeded: " + done.sizeBytes()
                    + " bytes in " + done.durationMillis() + " ms" + phases + ", "
                    + done.files().size() + " file(s) in " + done.directory());
            alerts.resolved(row.kind().label());
            phase(row.id(), "retention");
            applyRetention(tools);
        } catch (Throwable e) {
            String reason = reason(e);
            removeQuietly(area, directory);
            try {
                catalog().fail(row.id(), reason, Instant.now(), millisSince(start));
            } catch (SQLException recording) {
                LOG.log(Level.SEVERE, "Could not record backup " + row.id() + " as FAILED", recording);
            }
            alert(
                    row.kind().label(),
                    row.id(),
                    "backup " + row.id() + " (" + row.kind().label() + ") FAILED",
                    reason);
        } finally {
            progress.remove(row.id());
        }
    }

    private void runDrill(
            Backup backup,
            PostgresTools tools,
            DatabaseEndpoint endpoint,
            BackupKey encryption,
            Connection lock,
            String triggeredBy) {
        try (lock) {
            Path directory = Path.of(backup.directory());
            // The archive itself is hashed while it is restored; the small files beside it are checked here.
            // (The files of a directory-format dump are hashed while the drill decrypts them.)
            for (var file : backup.files().subList(1, backup.files().size())) {
                if (!LogicalDump.inDumpDirectory(file.name())) {
                    ArchiveCheck.verifyChecksum(directory.resolve(file.name()), file);
                }
            }
            var result = new RestoreDrill(
                            new PgRestore(tools, encryption), endpoint, settings.timeout(), settings.restoreJobs())
                    .run(backup, directory);
            Backup verified = backup.verified(Instant.now(), result.restoreMillis());
            ManifestFile.write(directory, verified, encryptionLabel(verified));
            catalog().verified(backup.id(), verified.verifiedAt(), result.restoreMillis());
            LOG.info(() -> "Restore drill of backup " + backup.id() + " (" + triggeredBy
                    + "): restored and compared in " + result.restoreMillis() + " ms (phases, ms: "
                    + result.phaseMillis() + "); VERIFIED");
            alerts.resolved("drill");
        } catch (Throwable e) {
            String reason = reason(e);
            try {
                catalog().verifyFailed(backup.id(), reason);
            } catch (SQLException recording) {
                LOG.log(Level.SEVERE, "Could not record the failed drill of backup " + backup.id(), recording);
            }
            alert("drill", backup.id(), "restore drill of backup " + backup.id() + " FAILED", reason);
        } finally {
            progress.remove(backup.id());
        }
    }

    /** After a successful backup: expired backups go (files, then row), then WAL no kept base backup needs. */
    void applyRetention(PostgresTools tools) {
        try {
            BackupArea area = settings.area();
            List<Backup> all = catalog().all();
            List<Backup> expired = Retention.expired(all, Instant.now(), settings.retentionDays());
            for (Backup backup : expired) {
                if (backup.directory() != null) {
                    Path directory = Path.of(backup.directory());
                    if (area.contains(directory)) {
                        area.remove(directory);
                    } else {
                        LOG.warning(() -> "Retention: backup " + backup.id() + " lies outside the backup area ("
                                + directory + "); its files are left alone, its row is removed");
                    }
                }
                catalog().delete(backup.id());
                LOG.info(() -> "Retention: removed backup " + backup.id() + " ("
                        + backup.kind().label() + ", " + backup.status() + ", started " + backup.startedAt() + ")");
            }
            Optional<Path> archive = settings.walArchive();
            var base = Retention.oldestKeptBase(all, expired);
            if (archive.isPresent()
                    && base.isPresent()
                    && tools.find("pg_archivecleanup").isPresent()) {
                WalArchive.removeOlderThan(tools, archive.get(), base.get().walStart());
            }
        } catch (Exception e) {
            alert("retention", null, "backup retention failed", reason(e));
        }
    }

    /** Rows left RUNNING by an instance that stopped mid-backup. Called with the lock held, so none is really running. */
    private void failInterrupted() throws SQLException {
        BackupArea area = settings.area();
        for (Backup stale : catalog().withStatus(BackupStatus.RUNNING)) {
            if (stale.directory() != null) {
                removeQuietly(area, Path.of(stale.directory()));
            }
            String reason = "interrupted: the application stopped while this backup ran; its files were removed";
            catalog()
                    .fail(
                            stale.id(),
                            reason,
                            Instant.now(),
                            Duration.between(stale.startedAt(), Instant.now()).toMillis());
            alert(
                    stale.kind().label(),
                    stale.id(),
                    "backup " + stale.id() + " (" + stale.kind().label() + ") FAILED",
                    reason);
        }
    }

    private Backup find(long id) {
        try {
            return catalog().find(id).orElseThrow(() -> new Refused(Refusal.NOT_FOUND, "no backup " + id));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the backups table failed", e);
        }
    }

    private PostgresTools requireTools(List<String> needed) {
        PostgresTools tools = settings.tools();
        List<String> missing = tools.missing(needed);
        if (!missing.isEmpty()) {
            throw new Refused(Refusal.TOOLS_MISSING, tools.missingMessage(missing));
        }
        return tools;
    }

    private BackupKey requireKey() {
        String key = System.getenv(BackupKey.VARIABLE);
        if (key == null || key.isBlank()) {
            throw new Refused(
                    Refusal.KEY_MISSING,
                    "Backups are to be encrypted (apintake.backup.encrypt=true) but "
                            + BackupKey.VARIABLE
                            + " is not set in the server's environment; no backup was started."
                            + " Set it to 32 random bytes in base64 (openssl rand -base64 32) and restart, keeping a copy of the key"
                            + " away from the backups.");
        }
        try {
            return BackupKey.of(key);
        } catch (IllegalArgumentException e) {
            throw new Refused(Refusal.KEY_MISSING, e.getMessage() + "; no backup was started.");
        }
    }

    private DatabaseEndpoint endpoint() {
        try {
            return DatabaseEndpoint.ofPool(pool);
        } catch (SQLException e) {
            throw new IllegalStateException("The database cannot be reached: " + e.getMessage(), e);
        }
    }

    private Connection lock(DatabaseEndpoint endpoint) {
        Connection connection = null;
        try {
            connection = endpoint.connect();
            try (var statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                statement.setLong(1, LOCK_KEY);
                try (var rows = statement.executeQuery()) {
                    rows.next();
                    if (rows.getBoolean(1)) {
                        return connection;
                    }
                }
            }
            closeQuietly(connection);
            String running = catalog().withStatus(BackupStatus.RUNNING).stream()
                    .map(backup ->
                            " (backup " + backup.id() + ", " + backup.kind().label() + ", is RUNNING)")
                    .findFirst()
                    .orElse(" (a backup, base backup or restore drill)");
            throw new Refused(
                    Refusal.BUSY,
                    "another backup job is running" + running + "; only one runs at a time, across all instances");
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new IllegalStateException("Could not take the backup lock: " + e.getMessage(), e);
        }
    }

    private static String serverVersion(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT version()")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static String encryptionLabel(Backup backup) {
        return backup.encrypted() && !backup.files().isEmpty()
                ? BackupKey.label(Path.of(backup.files().get(0).name()))
                : "none";
    }

    private void phase(long id, String phase) {
        progress.computeIfPresent(id, (key, old) -> new Progress(phase, old.pid(), old.bytesWritten()));
    }

    private void pid(long id, long pid) {
        progress.computeIfPresent(id, (key, old) -> new Progress(old.phase(), pid, old.bytesWritten()));
    }

    private void bytes(long id, long bytes) {
        Progress old = progress.get(id);
        if (old != null && (bytes - old.bytesWritten() >= (1 << 20) || old.bytesWritten() == 0)) {
            progress.put(id, new Progress(old.phase(), old.pid(), bytes));
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String reason(Throwable error) {
        StringBuilder reason = new StringBuilder();
        for (Throwable cause = error;
                cause != null && reason.length() < 1500;
                cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage();
            String text = cause instanceof java.nio.file.FileSystemException fs
                    ? cause.getClass().getSimpleName() + ": " + fs.getMessage()
                    : message == null ? cause.getClass().getSimpleName() : message;
            if (reason.indexOf(text) < 0) {
                reason.append(reason.length() == 0 ? "" : " <- ").append(text);
            }
        }
        return reason.toString();
    }

    private static void removeQuietly(BackupArea area, Path directory) {
        try {
            area.remove(directory);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "Could not remove the partial backup files in " + directory, e);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the session ends either way, releasing the lock
            }
        }
    }
}
