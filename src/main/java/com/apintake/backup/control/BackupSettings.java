package com.apintake.backup.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The apintake.backup.* settings (defaults and meaning in README.md and microprofile-config.properties). */
@ApplicationScoped
public class BackupSettings {

    @Inject
    @ConfigProperty(name = "apintake.backup.dir", defaultValue = "/var/lib/ap-intake/backups")
    String dir;

    @Inject
    @ConfigProperty(name = "apintake.backup.pg-bin", defaultValue = "/usr/lib/postgresql/15/bin")
    String pgBin;

    @Inject
    @ConfigProperty(name = "apintake.backup.encrypt", defaultValue = "true")
    boolean encrypt;

    /** The properties file maps it to ${RETENTION_DAYS:30}, so the plain RETENTION_DAYS variable works too. */
    @Inject
    @ConfigProperty(name = "apintake.backup.retention-days", defaultValue = "30")
    int retentionDays;

    @Inject
    @ConfigProperty(
            name = "apintake.backup.critical-tables",
            defaultValue = "invoices,invoice_extractions,validations,exceptions,staged_exports,vendors")
    String criticalTables;

    /**
     * Off by default: a checksum of every row of the critical tables, on the backup's snapshot and again
     * after the drill's restore, cost 0.4x a raw pg_dump (docs/backups-restore.md); exact counts stay on.
     */
    @Inject
    @ConfigProperty(name = "apintake.backup.critical-checksums", defaultValue = "false")
    boolean criticalChecksums;

    @Inject
    @ConfigProperty(name = "apintake.backup.wal-archive-dir")
    Optional<String> walArchiveDir;

    @Inject
    @ConfigProperty(name = "apintake.backup.timeout-minutes", defaultValue = "240")
    int timeoutMinutes;

    @Inject
    @ConfigProperty(name = "apintake.backup.lock-wait-seconds", defaultValue = "600")
    int lockWaitSeconds;

    /** custom (pg_dump -Fc, one streamed file) or directory (pg_dump -Fd -j jobs, one encrypted file per part). */
    @Inject
    @ConfigProperty(name = "apintake.backup.format", defaultValue = "custom")
    String format;

    @Inject
    @ConfigProperty(name = "apintake.backup.jobs", defaultValue = "2")
    int jobs;

    /**
     * 0 for the custom format; the number of parallel pg_dump (and drill pg_restore) jobs for the
     * directory format. Any other format value fails the backup, saying what is allowed.
     */
    public int directoryJobs() {
        return switch (format.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "custom" -> 0;
            case "directory" -> Math.max(1, jobs);
            default ->
                throw new IllegalStateException(
                        "apintake.backup.format must be custom or directory, not '" + format + "'");
        };
    }

    /**
     * pg_dump's --compress (zlib level) for the logical backups: 0-9, or "default" for pg_dump's own (6).
     * 1 unless set: pg_dump's zlib is most of a backup's CPU, and level 1 needed 40 % of level 6's CPU for a
     * file 12 % larger (docs/backup-cost-3.md).
     */
    @Inject
    @ConfigProperty(name = "apintake.backup.compress-level", defaultValue = "1")
    String compressLevel;

    /** {@link LogicalDump#PG_DUMP_DEFAULT} for "default"; anything but 0-9 or "default" fails the backup, saying why. */
    public int compressLevel() {
        String value = compressLevel.strip().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("default")) {
            return LogicalDump.PG_DUMP_DEFAULT;
        }
        if (value.matches("[0-9]")) {
            return Integer.parseInt(value);
        }
        throw new IllegalStateException(
                "apintake.backup.compress-level must be 0-9 or default, not '" + compressLevel + "'");
    }

    /** pg_restore --jobs of a restore drill of a directory-format backup. */
    public int restoreJobs() {
        return Math.max(1, jobs);
    }

    public BackupArea area() {
        return new BackupArea(Path.of(dir));
    }

    public PostgresTools tools() {
        return PostgresTools.of(pgBin);
    }

    public boolean encrypt() {
        return encrypt;
    }

    public int retentionDays() {
        return retentionDays;
    }

    public CriticalTables criticalTables() {
        return CriticalTables.parse(criticalTables, criticalChecksums);
    }

    public Optional<Path> walArchive() {
        return walArchiveDir.filter(value -> !value.isBlank()).map(Path::of);
    }

    public Duration timeout() {
        return Duration.ofMinutes(timeoutMinutes);
    }

    public int lockWaitSeconds() {
        return lockWaitSeconds;
    }
}
