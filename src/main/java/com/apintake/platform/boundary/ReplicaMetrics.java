package com.apintake.platform.boundary;

import com.apintake.platform.control.ReplicaState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/** Replication lag of the read replica on /metrics (where reads go is also in /health/ready, HealthChecks). */
@ApplicationScoped
public class ReplicaMetrics {

    @Inject
    ReplicaState replica;

    /** Registers the gauges at deployment rather than on first use. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {}

    @Gauge(
            name = "apintake_replica_lag",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description =
                    "Replication lag of the read replica: age of the last replayed transaction while WAL waits for replay; 0 in sync or without a replica, NaN when unreachable")
    public double lagSeconds() {
        return replica.current().lagSeconds();
    }

    @Gauge(
            name = "apintake_replica_lag_wal",
            unit = MetricUnits.BYTES,
            absolute = true,
            description = "WAL bytes the read replica has not replayed yet; 0 without a replica, NaN when unreachable")
    public double lagBytes() {
        return replica.current().lagBytes();
    }

    @Gauge(
            name = "apintake_replica_reads",
            unit = MetricUnits.NONE,
            absolute = true,
            description = "1 while reads go to the replica, 0 while they go to the primary")
    public double reads() {
        return replica.current().replica() ? 1 : 0;
    }
}
