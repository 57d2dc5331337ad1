package com.apintake.intake.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The number of jobs waiting in the intake queue as a component of the health score and an alert
 * (intake_queue_depth): a backlog that outruns the workers. Judged by the threshold registry's
 * intake_queue_depth pair, like the Prometheus rule on intake_queue_depth. A batch upload makes it
 * jump and drain; the age (IntakeQueueAgeHealth) says whether the workers keep up.
 */
@ApplicationScoped
public class IntakeQueueDepthHealth implements HealthSignal {

    private static final Logger LOG = Logger.getLogger(IntakeQueueDepthHealth.class.getName());

    static final String NAME = "intake_queue_depth";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Thresholds thresholds;

    private volatile String unmeasured = "nothing to measure yet";

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(NAME);
        return new Threshold(NAME, limit.unit(), limit.warn(), limit.crit(), 5);
    }

    @Override
    public OptionalDouble measure() {
        try {
            return OptionalDouble.of(IntakeQueueAgeHealth.backlog(dataSource).depth());
        } catch (RuntimeException e) {
            String reason = "intake queue not readable now: " + e.getClass().getSimpleName();
            if (!reason.equals(unmeasured)) {
                LOG.log(Level.WARNING, "The " + NAME + " health component could not be measured", e);
            }
            unmeasured = reason;
            return OptionalDouble.empty();
        }
    }

    @Override
    public String unmeasured() {
        return unmeasured;
    }

    @Override
    public boolean alerts() {
        return true;
    }
}
