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
