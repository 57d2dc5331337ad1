package com.apintake.intake.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;
import javax.sql.DataSource;

/**
 * The number of jobs waiting in the intake queue as a component of the health score and an alert
 * (intake_queue_depth): a backlog that outruns the workers. Judged by the threshold registry's
 * intake_queue_depth pair, like the Prometheus rule on intake_queue_depth. A batch upload makes it
 * jump and drain; the age (IntakeQueueAgeHealth) says whether the workers keep up.
 */
@ApplicationScoped
public class IntakeQueueDepthHealth implements HealthSignal {

    static final String NAME = "intake_queue_depth";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Thresholds thresholds;

    private final QueueReading reading = new QueueReading(NAME);

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(NAME);
        return new Threshold(NAME, limit.unit(), limit.warn(), limit.crit(), 5);
    }

    @Override
    public OptionalDouble measure() {
        return reading.measure(dataSource, IntakeQueue.Backlog::depth);
    }

    @Override
    public String unmeasured() {
        return reading.unmeasured();
    }

    @Override
    public boolean alerts() {
        return true;
    }
}
