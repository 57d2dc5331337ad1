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

    @Inject
    @ConfigProperty(name = "apintake.backup.wal-archive-dir")
    Optional<String> walArchiveDir;

    @Inject
    @ConfigProperty(name = "apintake.backup.timeout-minutes", defaultValue = "240")
    int timeoutMinutes;

    @Inject
    @ConfigProperty(name = "apintake.backup.lock-wait-seconds", defaultValue = "600")
    int lockWaitSeconds;

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
        return CriticalTables.parse(criticalTables);
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
