package com.apintake.intake.control;

import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What the two intake-queue health components share: one figure of the queue's backlog, or empty with the
 * reason it could not be read (logged once per new reason, not on every round of the monitoring loop).
 */
final class QueueReading {

    private static final Logger LOG = Logger.getLogger(QueueReading.class.getName());

    private final String component;
    private volatile String unmeasured = "nothing to measure yet";

    QueueReading(String component) {
        this.component = component;
    }

    OptionalDouble measure(DataSource dataSource, ToDoubleFunction<IntakeQueue.Backlog> figure) {
        try {
            return OptionalDouble.of(figure.applyAsDouble(IntakeQueue.backlog(dataSource)));
        } catch (RuntimeException e) {
            String reason = "intake queue not readable now: " + e.getClass().getSimpleName();
            if (!reason.equals(unmeasured)) {
                LOG.log(Level.WARNING, "The " + component + " health component could not be measured", e);
            }
            unmeasured = reason;
            return OptionalDouble.empty();
        }
    }

    String unmeasured() {
        return unmeasured;
    }
}
