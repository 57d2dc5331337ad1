package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.MonitoringConnections;
import com.apintake.monitoring.control.PoolDemand;
import com.apintake.platform.control.Migrations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Samples the pool's demand (PoolDemand) every apintake.pool.sample-ms on every instance: the pool
 * is per instance, so each one watches its own (a non-persistent timer, no cluster claim). 0 turns the
 * sampling off, and with it the pool-size recommendation.
 */
@Singleton
@Startup
@DependsOn("Migrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class PoolSampling {

    private static final Logger LOG = Logger.getLogger(PoolSampling.class.getName());

    @Resource
    TimerService timers;

    @Inject
    Migrations migrations;

    @Inject
    PoolDemand demand;

    @Inject
    MonitoringConnections connections;

    @Inject
    @ConfigProperty(name = "apintake.pool.sample-ms", defaultValue = "1000")
    long sampleMillis;

    private final AtomicBoolean running = new AtomicBoolean();

    @PostConstruct
    void start() {
        if (sampleMillis > 0) {
            timers.createIntervalTimer(sampleMillis, sampleMillis, new TimerConfig("pool-sampling", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void sample() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            connections.round(demand::sample);
        } catch (RuntimeException e) {
            LOG.fine("Pool sampling failed: " + e);
        } finally {
            running.set(false);
        }
    }
}
