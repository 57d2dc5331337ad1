package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.LiveConnections;
import com.apintake.monitoring.control.MonitoringConnections;
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

/**
 * Takes the dashboard's connection snapshot (LiveConnections) every apintake.monitoring.live-connections-ms
 * on every instance (the pool is per instance: a non-persistent timer, no cluster claim), so that no
 * dashboard answer waits for a pooled connection or pg_stat_activity. Only while the dashboard is read.
 */
@Singleton
@Startup
@DependsOn("Migrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class LiveConnectionsRefresh {

    private static final Logger LOG = Logger.getLogger(LiveConnectionsRefresh.class.getName());

    @Resource
    TimerService timers;

    @Inject
    Migrations migrations;

    @Inject
    LiveConnections live;

    @Inject
    MonitoringConnections connections;

    private final AtomicBoolean running = new AtomicBoolean();

    @PostConstruct
    void start() {
        long millis = live.refreshMillis();
        if (millis > 0) {
            timers.createIntervalTimer(millis, millis, new TimerConfig("live-connections", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void refresh() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            connections.round(live::refresh);
        } catch (RuntimeException e) {
            LOG.fine("Refreshing the dashboard's connection snapshot failed: " + e);
        } finally {
            running.set(false);
        }
    }
}
