package com.apintake.intake.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;

/**
 * The number of jobs waiting in the intake queue as a component of the health score and an alert
 * (intake_queue_depth): a backlog that outruns the workers. Judged by the threshold registry's
 * intake_queue_depth pair, like the Prometheus rule on intake_queue_depth. A batch upload makes it
 * jump and drain; the age (IntakeQueueAgeHealth) says whether the workers keep up.
 */
@ApplicationScoped
public class IntakeQueueDepthHealth implements HealthSignal {

    static final String NAME = "intake_queue_depth";

    @Inject
    IntakeQueue queue;

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
            return OptionalDouble.of(queue.backlog().depth());
        } catch (RuntimeException e) {
            unmeasured = "intake queue not readable now: " + e.getClass().getSimpleName();
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
