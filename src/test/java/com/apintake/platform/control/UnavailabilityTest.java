package com.apintake.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.transaction.RollbackException;
import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class UnavailabilityTest {

    @Test
    void outageStatesAnywhereInTheChainAreOutages() {
        assertThat(Unavailability.isOutage(
                        new IllegalStateException("Storing failed", new SQLException("I/O error", "08006"))))
                .isTrue();
        assertThat(Unavailability.isOutage(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(Unavailability.isOutage(new SQLException("canceling statement due to statement timeout", "57014")))
                .isTrue();
        SQLException batch = new SQLException("Batch entry 0 was aborted", "08003");
        assertThat(Unavailability.isOutage(new RuntimeException(new RollbackException("x") {
                    {
                        initCause(batch);
                    }
                })))
                .isTrue();
        SQLException wrapper = new SQLException("batch failed");
        wrapper.setNextException(new SQLException("gone", "57P02"));
        assertThat(Unavailability.isOutage(wrapper)).isTrue();
    }

    @Test
    void aCommitOnAPooledConnectionWhoseBackendDiedIsAnOutage() {
        // Seen once in 8,550 uploads across three PostgreSQL restarts (IntakeFailuresIT): answered 500 before.
        var xa = new javax.transaction.xa.XAException("jakarta.resource.ResourceException: This Managed Connection is"
                + " not valid as the physical connection is not usable");
        var system = new jakarta.transaction.SystemException();
        system.initCause(xa);
        assertThat(Unavailability.isOutage(new jakarta.transaction.TransactionalException("commit failed", system)))
                .isTrue();
    }

    @Test
    void aCommitOnAConnectionThePoolDestroyedIsAnOutage() {
        // Seen once in 2,125 answers across PostgreSQL restarts (IntakeFailuresIT under load): answered 500 before.
        var npe = new NullPointerException("Cannot invoke \"java.sql.Connection.commit()\" because the return value of"
                + " \"com.sun.gjc.spi.ManagedConnectionImpl.getActualConnection()\" is null");
        var xa = new javax.transaction.xa.XAException(npe.toString());
        xa.initCause(npe);
        var system = new jakarta.transaction.SystemException();
        system.initCause(xa);
        assertThat(Unavailability.isOutage(new jakarta.transaction.TransactionalException("commit failed", system)))
                .isTrue();
        assertThat(Unavailability.isOutage(new NullPointerException("something else is null")))
                .isFalse();
    }

    @Test
    void aCommitLostWithTheConnectionIsAnOutageThroughJtaWrapping() {
        var xa = new javax.transaction.xa.XAException(
                "jakarta.resource.spi.LocalTransactionException: An I/O error occurred while sending to the backend.");
        var system = new jakarta.transaction.SystemException();
        system.initCause(xa);
        assertThat(Unavailability.isOutage(new jakarta.transaction.TransactionalException("commit failed", system)))
                .isTrue();
    }

    @Test
    void poolExhaustionWithoutStateIsAnOutage() {
        assertThat(
                        Unavailability.isOutage(
                                new SQLException(
                                        "Error in allocating a connection. Cause: In-use connections equal max-pool-size and expired max-wait-time. Cannot allocate more connections.")))
                .isTrue();
    }

    @Test
    void faultsAndRefusedNonDatabaseSocketsAreNot() {
        assertThat(Unavailability.isOutage(new SQLException("duplicate key", "23505")))
                .isFalse();
        assertThat(Unavailability.isOutage(new SQLException("numeric field overflow", "22003")))
                .isFalse();
        assertThat(Unavailability.isOutage(new IllegalStateException("webhook", new ConnectException("refused"))))
                .isFalse();
        assertThat(Unavailability.isOutage(new SQLException("x", new ConnectException("Connection refused"))))
                .isTrue();
        assertThat(Unavailability.isOutage(new NullPointerException())).isFalse();
    }
}
