package com.apintake.platform.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalDouble;

/**
 * The read replica's lag in seconds as a component of the health score and an alert
 * (replica_lag_seconds), judged by the threshold registry's pair like the Prometheus rule on
 * apintake_replica_lag_seconds. Without a replica (the read pool reaches the primary) or while it is
 * unreachable nothing is measured: the component costs nothing and its note says which; reads then go
 * to the primary (ReplicaState), so users see current data either way.
 */
@ApplicationScoped
public class ReplicaLagSecondsHealth implements HealthSignal {

    static final String NAME = "replica_lag_seconds";

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
        return lag(replica, state -> state.lagSeconds(), reason -> unmeasured = reason);
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
        return noReplica(replica);
    }

    /** Whether the read pool reaches the primary itself; false while the replica is only unreachable or unreadable. */
    static boolean noReplica(ReplicaState replica) {
        try {
            return !replica.current().replicaConfigured();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The lag figure of the replica's current state, or empty with the reason when there is none to judge. */
    static OptionalDouble lag(
            ReplicaState replica,
            java.util.function.ToDoubleFunction<ReplicaState.State> figure,
            java.util.function.Consumer<String> unmeasured) {
        ReplicaState.State state;
        try {
            state = replica.current();
        } catch (RuntimeException e) {
            unmeasured.accept("replica state not readable: " + e.getClass().getSimpleName());
            return OptionalDouble.empty();
        }
        if (!state.replicaConfigured()) {
            unmeasured.accept("no replica configured: the read pool reaches the primary (" + state.reason() + ")");
            return OptionalDouble.empty();
        }
        double value = figure.applyAsDouble(state);
        if (Double.isNaN(value)) {
            unmeasured.accept("replica not measurable now: " + state.reason());
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(value);
    }
}
