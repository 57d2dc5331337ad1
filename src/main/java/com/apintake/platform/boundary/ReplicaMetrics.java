package com.apintake.platform.boundary;

import com.apintake.monitoring.entity.HealthScored;
import com.apintake.platform.control.ReplicaState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/**
 * Replication lag of the read replica on /metrics (where reads go is also in /health/ready, HealthChecks).
 * A scrape reads the last measurement only (ReplicaState.lastKnown): read routing measures it at most every
 * apintake.replica.check-seconds, and the monitoring loop asks for it too, so it stays fresh without reads.
 * NaN (and reads 0) before the first measurement.
 */
@ApplicationScoped
public class ReplicaMetrics {

    private static final Logger LOG = Logger.getLogger(ReplicaMetrics.class.getName());

    @Inject
    ReplicaState replica;

    /** Registers the gauges at deployment rather than on first use. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {}

    /** In the monitoring loop's thread: measures when the last measurement is older than check-seconds. */
    void refresh(@Observes HealthScored scored) {
        try {
            replica.current();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Replica state not measurable now", e);
        }
    }

    @Gauge(
            name = "apintake_replica_lag",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description =
                    "Replication lag of the read replica: age of the last replayed transaction while WAL waits for replay; 0 in sync or without a replica, NaN when unreachable")
    public double lagSeconds() {
        ReplicaState.State state = replica.lastKnown();
        return state == null ? Double.NaN : state.lagSeconds();
    }

    @Gauge(
            name = "apintake_replica_lag_wal",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "WAL bytes the read replica has not replayed yet; 0 without a replica, NaN when unreachable")
    public double lagBytes() {
        ReplicaState.State state = replica.lastKnown();
        return state == null ? Double.NaN : state.lagBytes();
    }

    @Gauge(
            name = "apintake_replica_reads",
            unit = MetricUnits.NONE,
            absolute = true,
            description = "1 while reads go to the replica, 0 while they go to the primary")
    public double reads() {
        ReplicaState.State state = replica.lastKnown();
        return state != null && state.replica() ? 1 : 0;
    }
}
