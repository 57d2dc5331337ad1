package com.apintake.monitoring.boundary;

import com.apintake.alerts.control.AlertStore;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.Trends;
import com.apintake.monitoring.control.VitalSigns;
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
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The snapshot timer: every apintake.monitoring.snapshot-seconds it stores the key figures
 * (monitoring_snapshots) and the moved pg_stat_statements counters (statement_snapshots). The daily
 * maintenance (maintenance/control/MaintenanceRuns) purges them after apintake.monitoring.retention-days
 * and resolved alerts after apintake.alerts.retention-days. The gauges
 * (MonitoringGauges) read the last measurement.
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
    HealthScore healthScore;

    @Inject
    LatestHealth latest;

    @Inject
    SlowQueries slowQueries;

    @Inject
    Trends trends;

    @Inject
    AlertStore alerts;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.snapshot-seconds", defaultValue = "60")
    long snapshotSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    @PostConstruct
    void start() {
        if (snapshotSeconds > 0) {
            long interval = Duration.ofSeconds(snapshotSeconds).toMillis();
            timers.createIntervalTimer(
                    Math.min(interval, 10_000), interval, new TimerConfig("monitoring-snapshot", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void snapshot() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            Instant now = Instant.now();
            slowQueries.snapshot(now);
            var vitals = vitalSigns.measure();
            var health = healthScore.score(vitals);
            latest.update(vitals, health);
            int slow = slowQueries.slow(Duration.ofHours(1), 1).slowCount();
            latest.slowStatements(slow);
            trends.store(vitals, health, slow, alerts.lastOpenCount());
            if (failing) {
                LOG.info("Monitoring snapshots are stored again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(
                        Level.WARNING,
                        "Storing the monitoring snapshot failed; retrying at the next one: " + e.getMessage(),
                        e);
                failing = true;
            }
        } finally {
            running.set(false);
        }
    }
}
