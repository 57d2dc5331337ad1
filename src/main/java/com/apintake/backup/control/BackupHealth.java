package com.apintake.backup.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.OptionalDouble;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Backup freshness as a component of the health score: hours since the last usable full backup.
 * With a daily backup, more than apintake.backup.health.warn-hours (26: a day plus slack for a
 * long run) means one was missed; critical from apintake.backup.health.crit-hours (50: two
 * missed). Before the first backup there is nothing to measure: the component is listed and costs
 * nothing, and the backup alerts say why.
 */
@ApplicationScoped
public class BackupHealth implements HealthSignal {

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "apintake.backup.health.warn-hours", defaultValue = "26")
    double warnHours;

    @Inject
    @ConfigProperty(name = "apintake.backup.health.crit-hours", defaultValue = "50")
    double critHours;

    @Inject
    @ConfigProperty(name = "apintake.backup.health.weight", defaultValue = "10")
    double weight;

    @Override
    public Threshold threshold() {
        return new Threshold("backup_freshness", "hours", warnHours, critHours, weight);
    }

    @Override
    public OptionalDouble measure() {
        try {
            double age = BackupFreshness.read(dataSource).lastSuccessAgeSeconds();
            return Double.isNaN(age) ? OptionalDouble.empty() : OptionalDouble.of(age / 3600);
        } catch (SQLException e) {
            return OptionalDouble.empty();
        }
    }
}
