package com.apintake.platform.control;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The read replica's lag in seconds (replica_lag_seconds), judged like the Prometheus rule on
 * apintake_replica_lag_seconds.
 */
@ApplicationScoped
public class ReplicaLagSecondsHealth extends ReplicaLagHealth {

    static final String NAME = "replica_lag_seconds";

    public ReplicaLagSecondsHealth() {
        super(NAME, ReplicaState.State::lagSeconds);
    }
}
