package com.apintake.platform.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;

/**
 * The WAL bytes the read replica has not replayed, as a component of the health score and an alert
 * (replica_lag_bytes), judged by the threshold registry's pair like the Prometheus rule on
 * apintake_replica_lag_wal_bytes. Seconds alone miss a replica that receives but cannot replay fast
 * enough while the primary is busy; bytes show it. Without a replica nothing is measured (see
 * {@link ReplicaLagSecondsHealth}).
 */
@ApplicationScoped
public class ReplicaLagBytesHealth implements HealthSignal {

    static final String NAME = "replica_lag_bytes";

    @Inject
    ReplicaState replica;

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
        return ReplicaLagSecondsHealth.lag(replica, state -> state.lagBytes(), reason -> unmeasured = reason);
    }

    @Override
    public String unmeasured() {
        return unmeasured;
    }

    @Override
    public boolean alerts() {
        return true;
    }

    /** No replica configured (the read pool reaches the primary): a lag alert left open from an earlier replica clears. */
    @Override
    public boolean absent() {
        return ReplicaLagSecondsHealth.noReplica(replica);
    }
}
