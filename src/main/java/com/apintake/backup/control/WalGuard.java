package com.apintake.backup.control;

import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupKind;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps the WAL archive from filling the disk. Archived WAL is pruned only up to the oldest kept base
 * backup, so without one it grows for ever: as soon as the archive holds a segment and no usable base
 * backup exists, one is taken (at most one attempt an hour, so a failing one alerts instead of looping).
 * And the runway (days until the archive's disk is full at the current inflow) raises the alert
 * "wal_archive_disk" below the threshold registry's wal_archive_disk_days_left warn (warning) and crit
 * (critical) days, cleared once the runway is long again.
 */
@ApplicationScoped
public class WalGuard {

    static final String CONDITION = "wal_archive_disk";
    /** The registry entry (platform/control/Thresholds) of the runway, shared with DiskRunwayHealth. */
    static final String THRESHOLD = "wal_archive_disk_days_left";

    private static final Logger LOG = Logger.getLogger(WalGuard.class.getName());

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    BackupJobs jobs;

    @Inject
    BackupSettings settings;

    @Inject
    Event<AlertRaised> raised;

    @Inject
    Event<AlertCleared> cleared;

    @Inject
    Thresholds thresholds;

    @Inject
    @ConfigProperty(name = "apintake.backup.disk.growth-window-hours", defaultValue = "24")
    double windowHours;

    private volatile DiskRunway.Facts facts = DiskRunway.Facts.UNKNOWN;
    private volatile long measuredAt;

    /** The timer's work: a base backup when the archive has WAL and none exists, then the runway alert. */
    public void check() {
        try {
            Optional<Path> archive = settings.walArchive();
            if (archive.isPresent()
                    && needsBaseBackup(holdsWal(archive.get()), jobs.catalog().all(), Instant.now())) {
                LOG.info("WAL is archived and no usable base backup exists, so nothing can prune the archive:"
                        + " taking a base backup now");
                // Recorded as "schedule" (the column admits schedule or api): the guard is a timer's job.
                jobs.backup(BackupKind.BASE, "schedule");
            }
        } catch (BackupJobs.Refused refused) {
            LOG.info(() -> "WAL guard: base backup not started now: " + refused.getMessage());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "WAL guard: could not check for or start a base backup", e);
        }
        alert(facts(true));
    }

    /** The runway facts, measured now when the last measurement is older than 30 s (the health check's). */
    public DiskRunway.Facts facts() {
        return facts(false);
    }

    /**
     * The last measured runway facts, without measuring (UNKNOWN before the first): what a scrape reads. The
     * monitoring loop measures them through {@link #facts()} (BackupMetrics), and the guard's timer.
     */
    public DiskRunway.Facts lastFacts() {
        return facts;
    }

    private DiskRunway.Facts facts(boolean fresh) {
        long now = System.nanoTime();
        if (fresh || now - measuredAt > 30_000_000_000L) {
            try {
                facts = DiskRunway.measure(
                        settings.walArchive(),
                        settings.area().root(),
                        dataDirectory(),
                        Instant.now(),
                        Duration.ofMinutes(Math.round(windowHours * 60)));
            } catch (Exception e) {
                LOG.log(Level.FINE, "Disk runway unavailable", e);
                facts = DiskRunway.Facts.UNKNOWN;
            }
            measuredAt = now;
        }
        return facts;
    }

    /** No usable base backup, none attempted within the hour, and WAL waiting in the archive. */
    static boolean needsBaseBackup(boolean archiveHoldsWal, List<Backup> backups, Instant now) {
        if (!archiveHoldsWal) {
            return false;
        }
        boolean usable = backups.stream().anyMatch(b -> b.kind() == BackupKind.BASE && b.usable());
        boolean recentAttempt = backups.stream()
                .anyMatch(b -> b.kind() == BackupKind.BASE && b.startedAt().isAfter(now.minus(Duration.ofHours(1))));
        return !usable && !recentAttempt;
    }

    /** The severity the runway deserves, or empty when it is long enough (or unknown). */
    static Optional<Severity> severity(double daysLeft, double warnDays, double critDays) {
        if (Double.isNaN(daysLeft) || daysLeft >= warnDays) {
            return Optional.empty();
        }
        return Optional.of(daysLeft < critDays ? Severity.CRITICAL : Severity.WARNING);
    }

    private void alert(DiskRunway.Facts runway) {
        Thresholds.Limit limit = thresholds.limit(THRESHOLD);
        double warnDays = limit.warn();
        double critDays = limit.crit();
        var severity = severity(runway.daysLeft(), warnDays, critDays);
        try {
            if (severity.isPresent()) {
                raised.fire(new AlertRaised(
                        CONDITION,
                        severity.get(),
                        String.format(
                                java.util.Locale.ROOT,
                                "the WAL archive's disk is full in %.1f days at the current inflow"
                                        + " (%.0f MB/day, %.0f MB free, archive %.0f MB): take a base backup so"
                                        + " retention can prune it, or add space",
                                runway.daysLeft(),
                                runway.inflowBytesPerDay() / 1e6,
                                runway.archiveFreeBytes() / 1e6,
                                runway.archiveBytes() / 1e6),
                        runway.daysLeft(),
                        severity.get() == Severity.CRITICAL ? critDays : warnDays,
                        "backup"));
            } else if (!Double.isNaN(runway.daysLeft())) {
                cleared.fire(new AlertCleared(CONDITION, "backup"));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "The WAL archive disk alert could not be delivered", e);
        }
    }

    private static boolean holdsWal(Path archive) throws java.io.IOException {
        if (!Files.isDirectory(archive)) {
            return false;
        }
        try (Stream<Path> files = Files.list(archive)) {
            return files.anyMatch(file -> file.getFileName().toString().matches("[0-9A-F]{24}(\\.gpg)?"));
        }
    }

    /** The server's data directory, visible only when the application runs on the database host. */
    private Optional<Path> dataDirectory() {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT current_setting('data_directory', true)")) {
            if (rows.next() && rows.getString(1) != null) {
                Path path = Path.of(rows.getString(1));
                return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
            }
        } catch (SQLException e) {
            LOG.log(Level.FINE, "data_directory is not readable by this role", e);
        }
        return Optional.empty();
    }
}
