package com.apintake.backup.boundary;

import com.apintake.backup.control.BackupFreshness;
import com.apintake.backup.control.WalArchive;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/**
 * Backup gauges on /metrics (application scope), for alerts such as "no successful full backup for
 * 26 h" or "WAL archive 10 min behind". NaN means "never" (no such backup yet, or archiving off).
 * One query serves all of them for a few seconds, so a scrape costs two small queries.
 */
@ApplicationScoped
public class BackupMetrics {

    private static final Logger LOG = Logger.getLogger(BackupMetrics.class.getName());
    private static final long CACHE_NANOS = 5_000_000_000L;

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    private volatile BackupFreshness.Facts facts = BackupFreshness.Facts.UNKNOWN;
    private volatile long readAt;

    /** Registers the gauges at deployment rather than on first use. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {}

    @Gauge(
            name = "backup_last_success_age",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Age of the newest usable (SUCCEEDED or VERIFIED) full backup; NaN when there is none")
    public double lastSuccessAge() {
        return facts().lastSuccessAgeSeconds();
    }

    @Gauge(
            name = "backup_last_verified_age",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Age of the newest full backup proven by a restore drill; NaN when there is none")
    public double lastVerifiedAge() {
        return facts().lastVerifiedAgeSeconds();
    }

    @Gauge(
            name = "backup_last_duration",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "How long the newest usable full backup took, dump and check")
    public double lastDuration() {
        return facts().lastDurationSeconds();
    }

    @Gauge(
            name = "backup_last_size",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Size on disk of the newest usable full backup")
    public double lastSize() {
        return facts().lastSizeBytes();
    }

    @Gauge(
            name = "backup_last_restore",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Restore time measured by the latest successful restore drill (RTO)")
    public double lastRestore() {
        return facts().lastRestoreSeconds();
    }

    @Gauge(
            name = "backup_wal_archive_lag",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description =
                    "Time since the last archived WAL segment while finished segments wait (RPO); 0 when caught up, NaN when archiving is off")
    public double walArchiveLag() {
        try {
            return WalArchive.status(dataSource).lagSeconds();
        } catch (Exception e) {
            LOG.log(Level.FINE, "WAL archive lag unavailable", e);
            return Double.NaN;
        }
    }

    @jakarta.inject.Inject
    com.apintake.backup.control.WalGuard walGuard;

    @Gauge(
            name = "backup_wal_archive_size",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Bytes in the WAL archive folder; NaN when apintake.backup.wal-archive-dir is not set")
    public double walArchiveSize() {
        return walGuard.facts().archiveBytes();
    }

    @Gauge(
            name = "backup_wal_archive_inflow_bytes_per_day",
            unit = MetricUnits.NONE,
            absolute = true,
            description = "Bytes archived per day over the growth window (apintake.backup.disk.growth-window-hours)")
    public double walArchiveInflow() {
        return walGuard.facts().inflowBytesPerDay();
    }

    @Gauge(
            name = "backup_wal_archive_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Free bytes on the WAL archive's file system")
    public double walArchiveFree() {
        return walGuard.facts().archiveFreeBytes();
    }

    @Gauge(
            name = "backup_area_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "Free bytes on the backup folder's file system (apintake.backup.dir)")
    public double backupAreaFree() {
        return walGuard.facts().backupFreeBytes();
    }

    @Gauge(
            name = "backup_data_dir_free",
            unit = MetricUnits.BYTES,
            absolute = true,
            description =
                    "Free bytes on PostgreSQL's data directory file system; NaN unless the application runs on the database host")
    public double dataDirFree() {
        return walGuard.facts().dataFreeBytes();
    }

    @Gauge(
            name = "backup_wal_archive_runway",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Time until the WAL archive's disk is full at the current inflow (at most 3650 days)")
    public double walArchiveRunwaySeconds() {
        return walGuard.facts().daysLeft() * 86_400;
    }

    private BackupFreshness.Facts facts() {
        long now = System.nanoTime();
        if (now - readAt > CACHE_NANOS) {
            try {
                facts = BackupFreshness.read(dataSource);
            } catch (Exception e) {
                LOG.log(Level.FINE, "Backup facts unavailable", e);
                facts = BackupFreshness.Facts.UNKNOWN;
            }
            readAt = now;
        }
        return facts;
    }
}
