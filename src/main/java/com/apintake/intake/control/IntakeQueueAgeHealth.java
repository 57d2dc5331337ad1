package com.apintake.intake.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.OptionalDouble;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The age of the oldest job in the intake queue as a component of the health score and an alert
 * (intake_queue_age): an uploaded invoice the clerks cannot see yet because no worker got to it. Judged
 * by the threshold registry's intake_queue_age pair, like the Prometheus rule on
 * intake_queue_oldest_job_age_seconds. An empty queue is age 0 (healthy), an unreadable one unmeasured.
 */
@ApplicationScoped
public class IntakeQueueAgeHealth implements HealthSignal {

    private static final Logger LOG = Logger.getLogger(IntakeQueueAgeHealth.class.getName());

    static final String NAME = "intake_queue_age";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Thresholds thresholds;

    private volatile String unmeasured = "nothing to measure yet";

    /**
     * Depth and oldest age of the queue, as IntakeQueue.backlog() reads them, but on a plain pooled
     * connection: the monitoring loop runs in an EJB timer without a transaction, where Sql's caller
     * scope is refused ("Caller.scope needs a transaction"); the pool's own user reads intake_jobs.
     */
    static final String BACKLOG = """
            SELECT count(*), coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::float8
            FROM intake_jobs""";

    static IntakeQueue.Backlog backlog(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(BACKLOG);
                var rows = statement.executeQuery()) {
            rows.next();
            return new IntakeQueue.Backlog(rows.getLong(1), rows.getDouble(2));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the intake queue's backlog failed", e);
        }
    }

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(NAME);
        return new Threshold(NAME, limit.unit(), limit.warn(), limit.crit(), 10);
    }

    @Override
    public OptionalDouble measure() {
        try {
            return OptionalDouble.of(IntakeQueueAgeHealth.backlog(dataSource).oldestSeconds());
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
