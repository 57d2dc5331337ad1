package com.apintake.backup.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The WAL archive's disk runway as a component of the health score: days until the archive's disk is
 * full at the current inflow. Less is worse: it starts to cost points below apintake.backup.disk.warn-days
 * (14: two weeks to act) and its whole weight below crit-days (3: a long weekend). The same figures as
 * the wal_archive_disk alert. Without a configured archive there is nothing to measure.
 */
@ApplicationScoped
public class DiskRunwayHealth implements HealthSignal {

    @Inject
    WalGuard guard;

    @Inject
    @ConfigProperty(name = "apintake.backup.disk.warn-days", defaultValue = "14")
    double warnDays;

    @Inject
    @ConfigProperty(name = "apintake.backup.disk.crit-days", defaultValue = "3")
    double critDays;

    @Inject
    @ConfigProperty(name = "apintake.backup.disk.weight", defaultValue = "5")
    double weight;

    @Override
    public Threshold threshold() {
        return new Threshold("wal_archive_disk_days_left", "days", warnDays, critDays, weight);
    }

    @Override
    public OptionalDouble measure() {
        double days = guard.facts().daysLeft();
        return Double.isNaN(days) ? OptionalDouble.empty() : OptionalDouble.of(days);
    }
}
