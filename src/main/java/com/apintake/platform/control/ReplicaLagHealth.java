package com.apintake.platform.control;

import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import jakarta.inject.Inject;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * A figure of the read replica's lag as a component of the health score and an alert, judged by the
 * threshold registry's pair of its name. Without a replica (the read pool reaches the primary) or while
 * it is unreachable nothing is measured: the component costs nothing and its note says which; reads
 * then go to the primary (ReplicaState), so users see current data either way. One subclass per figure
 * ({@link ReplicaLagSecondsHealth}, {@link ReplicaLagBytesHealth}).
 */
abstract class ReplicaLagHealth implements HealthSignal {

    private final String name;
    private final ToDoubleFunction<ReplicaState.State> figure;

    @Inject
    ReplicaState replica;

    @Inject
    Thresholds thresholds;

    private volatile String unmeasured = "nothing to measure yet";

    ReplicaLagHealth(String name, ToDoubleFunction<ReplicaState.State> figure) {
        this.name = name;
        this.figure = figure;
    }

    @Override
    public Threshold threshold() {
        Thresholds.Limit limit = thresholds.limit(name);
        return new Threshold(name, limit.unit(), limit.warn(), limit.crit(), 5);
    }

    /** The figure of the replica's current state, or empty with the reason when there is none to judge. */
    @Override
    public OptionalDouble measure() {
        ReplicaState.State state;
        try {
            state = replica.current();
        } catch (RuntimeException e) {
            unmeasured = "replica state not readable: " + e.getClass().getSimpleName();
            return OptionalDouble.empty();
        }
        if (!state.replicaConfigured()) {
            unmeasured = "no replica configured: the read pool reaches the primary (" + state.reason() + ")";
            return OptionalDouble.empty();
        }
        double value = figure.applyAsDouble(state);
        if (Double.isNaN(value)) {
            unmeasured = "replica not measurable now: " + state.reason();
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(value);
    }

    @Override
    public String unmeasured() {
        return unmeasured;
    }

    @Override
    public boolean alerts() {
        return true;
    }

    /**
     * No replica configured (the read pool reaches the primary): a lag alert left open from an earlier
     * replica clears. False while the replica is only unreachable or unreadable.
     */
    @Override
    public boolean absent() {
        try {
            return !replica.current().replicaConfigured();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
