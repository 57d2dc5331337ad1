package com.apintake.backup.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The WAL archive's disk runway as a component of the health score: days until the archive's disk is
 * full at the current inflow. Less is worse: it is judged by the threshold registry's
 * wal_archive_disk_days_left pair (14 days to act, 3 a long weekend), the same pair as the
 * wal_archive_disk alert (WalGuard) and the Prometheus rule. Without a configured archive there is
 * nothing to measure.
 */
@ApplicationScoped
public class DiskRunwayHealth implements HealthSignal {

    @Inject
    WalGuard guard;

    @Inject
    Thresholds thresholds;

    @Inject
    @ConfigProperty(name = "apintake.backup.disk.weight", defaultValue = "5")
    double weight;

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(WalGuard.THRESHOLD);
        return new Threshold(limit.name(), limit.unit(), limit.warn(), limit.crit(), weight);
    }

    @Override
    public String unmeasured() {
        return "no WAL archive configured, or its disk not measurable yet (apintake.backup.wal-archive)";
    }

    @Override
    public OptionalDouble measure() {
        double days = guard.facts().daysLeft();
        return Double.isNaN(days) ? OptionalDouble.empty() : OptionalDouble.of(days);
    }
}
