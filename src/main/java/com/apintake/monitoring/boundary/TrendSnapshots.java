package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.MonitoringConnections;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.Space;
import com.apintake.monitoring.control.Trends;
import com.apintake.monitoring.entity.HealthScored;
import com.apintake.platform.control.JobClaims;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The trends' side of the monitoring loop: at most every apintake.monitoring.snapshot-seconds it
 * stores the key figures of the latest measurement (monitoring_snapshots) and the moved
 * pg_stat_statements counters (statement_snapshots), and today's size of every table
 * (relation_size_snapshots, for growth per day). Asynchronous, so that a snapshot waiting for a
 * locked table never holds up the alerts. The daily maintenance purges snapshots after
 * apintake.monitoring.retention-days.
 */
@ApplicationScoped
public class TrendSnapshots {

    private static final Logger LOG = Logger.getLogger(TrendSnapshots.class.getName());

    @Inject
    SlowQueries slowQueries;

    @Inject
    Trends trends;

    @Inject
    LatestHealth latest;

    @Inject
    Space space;

    @Inject
    MonitoringConnections connections;

    @Inject
    JobClaims claims;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.snapshot-seconds", defaultValue = "60")
    long snapshotSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Instant lastStored = Instant.EPOCH;
    private volatile boolean failing;

    void store(@ObservesAsync HealthScored scored) {
        Instant now = Instant.now();
        if (snapshotSeconds <= 0
                || Duration.between(lastStored, now).toMillis() < snapshotSeconds * 1000 - 500
                || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            // Every instance measures (its gauges show its latest figures); one per cluster stores them.
            Duration period = Duration.ofSeconds(snapshotSeconds);
            claims.once(
                    "monitoring-snapshot",
                    "every " + snapshotSeconds + " s",
                    period,
                    () -> connections.round(() -> {
                        slowQueries.snapshot(now);
                        int slow = slowQueries.slow(Duration.ofHours(1), 1).slowCount();
                        latest.slowStatements(slow);
                        trends.store(scored.vitals(), scored.health(), slow, latest.openAlerts());
                        space.snapshotToday();
                    }));
            lastStored = now;
            if (failing) {
                LOG.info("Monitoring snapshots are stored again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(
                        Level.WARNING,
                        "Storing the monitoring snapshot failed; retrying at the next one: " + e.getMessage(),
                        e);
                failing = true;
            }
        } finally {
            running.set(false);
        }
    }
}
