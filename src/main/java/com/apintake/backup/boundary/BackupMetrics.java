package com.apintake.backup.boundary;

import com.apintake.backup.control.BackupFreshness;
import com.apintake.backup.control.WalArchive;
import com.apintake.backup.control.WalGuard;
import com.apintake.monitoring.entity.HealthScored;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/**
 * Backup gauges on /metrics (application scope), for alerts such as "no successful full backup for
 * 26 h" or "WAL archive 10 min behind". NaN means "never" (no such backup yet, or archiving off) or "not
 * read yet". A scrape reads memory only: the figures are read by the monitoring loop (HealthScored, in the
 * loop's own thread, every apintake.monitoring.measure-seconds), never by the scrape's request thread, so a
 * scrape answers at once also while the JDBC pool is exhausted, the overload an operator scrapes to see. The
 * ages go on growing with the clock between two reads; the other figures are as old as the last read (one
 * loop round; the WAL guard's disk figures are measured at most every 30 s).
 */
@ApplicationScoped
public class BackupMetrics {

    private static final Logger LOG = Logger.getLogger(BackupMetrics.class.getName());

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    WalGuard walGuard;

    /** The last read: the backup facts, the WAL archive lag and when (System.nanoTime) they were read. */
    record Read(BackupFreshness.Facts facts, double walArchiveLagSeconds, long atNanos) {

        static final Read NONE = new Read(BackupFreshness.Facts.UNKNOWN, Double.NaN, System.nanoTime());

        /** An age read then, grown by the time since; NaN stays NaN ("never"). */
        double aged(double ageSeconds, long nowNanos) {
            return ageSeconds + (nowNanos - atNanos) / 1e9;
        }
    }

    private volatile Read last = Read.NONE;

    /** Registers the gauges at deployment rather than on first use. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {}

    /**
     * Reads the figures behind the gauges, in the monitoring loop's thread (one connection at a time, a round
     * never doubled). A figure that cannot be read now keeps its last value rather than turning NaN: a pool
     * that has no connection to spare does not make a backup older or smaller.
     */
    void refresh(@Observes HealthScored scored) {
        Read before = last;
        long now = System.nanoTime();
        BackupFreshness.Facts facts;
        try {
            facts = BackupFreshness.read(dataSource);
        } catch (Exception e) {
            LOG.log(Level.FINE, "Backup facts unavailable", e);
            facts = null;
        }
        double lag;
        try {
            lag = WalArchive.status(dataSource).lagSeconds();
        } catch (Exception e) {
            LOG.log(Level.FINE, "WAL archive lag unavailable", e);
            lag = before.walArchiveLagSeconds();
        }
        last = facts != null ? new Read(facts, lag, now) : new Read(before.facts(), lag, before.atNanos());
        // The WAL guard's disk figures: measured here when older than its 30 s, read by the gauges below.
        walGuard.facts();
    }

    @Gauge(
            name = "backup_last_success_age",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Age of the newest usable (SUCCEEDED or VERIFIED) full backup; NaN when there is none")
    public double lastSuccessAge() {
        Read read = last;
        return read.aged(read.facts().lastSuccessAgeSeconds(), System.nanoTime());
    }

    @Gauge(
            name = "backup_last_verified_age",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Age of the newest full backup proven by a restore drill; NaN when there is none")
    public double lastVerifiedAge() {
        Read read = last;
        return read.aged(read.facts().lastVerifiedAgeSeconds(), System.nanoTime());
    }

    @Gauge(
            name = "backup_last_duration",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "How long the newest usable full backup took, dump and check")
    public double lastDuration() {
        return last.facts().lastDurationSeconds();
    }

    @Gauge(
            name = "backup_last_size",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Size on disk of the newest usable full backup")
    public double lastSize() {
        return last.facts().lastSizeBytes();
    }

    @Gauge(
            name = "backup_last_restore",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Restore time measured by the latest successful restore drill (RTO)")
    public double lastRestore() {
        return last.facts().lastRestoreSeconds();
    }

    @Gauge(
            name = "backup_wal_archive_lag",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description =
                    "Time since the last archived WAL segment while finished segments wait (RPO); 0 when caught up, NaN when archiving is off")
    public double walArchiveLag() {
        return last.walArchiveLagSeconds();
    }

    @Gauge(
            name = "backup_wal_archive_size",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Bytes in the WAL archive folder; NaN when apintake.backup.wal-archive-dir is not set")
    public double walArchiveSize() {
        return walGuard.lastFacts().archiveBytes();
    }

    @Gauge(
            name = "backup_wal_archive_inflow_bytes_per_day",
            unit = MetricUnits.NONE,
            absolute = true,
            description = "Bytes archived per day over the growth window (apintake.backup.disk.growth-window-hours)")
    public double walArchiveInflow() {
        return walGuard.lastFacts().inflowBytesPerDay();
    }

    @Gauge(
            name = "backup_wal_archive_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Free bytes on the WAL archive's file system")
    public double walArchiveFree() {
        return walGuard.lastFacts().archiveFreeBytes();
    }

    @Gauge(
            name = "backup_area_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Free bytes on the backup folder's file system (apintake.backup.dir)")
    public double backupAreaFree() {
        return walGuard.lastFacts().backupFreeBytes();
    }

    @Gauge(
            name = "backup_data_dir_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description =
                    "Free bytes on PostgreSQL's data directory file system; NaN unless the application runs on the database host")
    public double dataDirFree() {
        return walGuard.lastFacts().dataFreeBytes();
    }

    @Gauge(
            name = "backup_wal_archive_runway",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Time until the WAL archive's disk is full at the current inflow (at most 3650 days)")
    public double walArchiveRunwaySeconds() {
        return walGuard.lastFacts().daysLeft() * 86_400;
    }
}
