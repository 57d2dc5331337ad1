package com.apintake.platform.control;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The WAL bytes the read replica has not replayed (replica_lag_bytes), judged like the Prometheus rule
 * on apintake_replica_lag_wal_bytes. Seconds alone miss a replica that receives but cannot replay fast
 * enough while the primary is busy; bytes show it.
 */
@ApplicationScoped
public class ReplicaLagBytesHealth extends ReplicaLagHealth {

    static final String NAME = "replica_lag_bytes";

    public ReplicaLagBytesHealth() {
        super(NAME, ReplicaState.State::lagBytes);
    }
}
