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
 * The age of the oldest job in the intake queue as a component of the health score and an alert
 * (intake_queue_age): an uploaded invoice the clerks cannot see yet because no worker got to it. Judged
 * by the threshold registry's intake_queue_age pair, like the Prometheus rule on
 * intake_queue_oldest_job_age_seconds. An empty queue is age 0 (healthy), an unreadable one unmeasured.
 */
@ApplicationScoped
public class IntakeQueueAgeHealth implements HealthSignal {

    static final String NAME = "intake_queue_age";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Thresholds thresholds;

    private final QueueReading reading = new QueueReading(NAME);

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(NAME);
        return new Threshold(NAME, limit.unit(), limit.warn(), limit.crit(), 10);
    }

    @Override
    public OptionalDouble measure() {
        return reading.measure(dataSource, IntakeQueue.Backlog::oldestSeconds);
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
