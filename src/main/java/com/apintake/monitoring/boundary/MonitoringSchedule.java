package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.MonitoringConnections;
import com.apintake.monitoring.control.VitalSigns;
import com.apintake.monitoring.entity.VitalsMeasured;
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
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The monitoring loop, the one timer that measures: every apintake.monitoring.measure-seconds it
 * measures the vitals once and fires {@link VitalsMeasured}. The health score observes it and fires
 * HealthScored, which the gauges (LatestHealth), the alert evaluation and the trend snapshots
 * (TrendSnapshots) observe. A round still running when the next is due is not doubled.
 */
@Singleton
@Startup
@DependsOn("Migrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class MonitoringSchedule {

    private static final Logger LOG = Logger.getLogger(MonitoringSchedule.class.getName());

    @Resource
    TimerService timers;

    @Inject
    Migrations migrations;

    @Inject
    VitalSigns vitalSigns;

    @Inject
    MonitoringConnections connections;

    @Inject
    Event<VitalsMeasured> measured;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.measure-seconds", defaultValue = "30")
    long measureSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    @PostConstruct
    void start() {
        if (measureSeconds > 0) {
            long interval = Duration.ofSeconds(measureSeconds).toMillis();
            timers.createIntervalTimer(
                    Math.min(interval, 5_000), interval, new TimerConfig("monitoring-measure", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void measure() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            connections.round(() -> measured.fire(new VitalsMeasured(vitalSigns.measure())));
            if (failing) {
                LOG.info("The monitoring loop measures again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(Level.WARNING, "The monitoring round failed; retrying at the next one: " + e.getMessage(), e);
                failing = true;
            }
        } finally {
            running.set(false);
        }
    }
}
