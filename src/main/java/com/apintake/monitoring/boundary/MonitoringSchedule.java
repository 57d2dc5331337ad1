package com.apintake.monitoring.boundary;

import com.apintake.alerts.control.AlertStore;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.PoolStatistics;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.Trends;
import com.apintake.monitoring.control.VitalSigns;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.platform.control.JobClaims;
import com.apintake.platform.control.Migrations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The snapshot timer: every apintake.monitoring.snapshot-seconds it stores the key figures
 * (monitoring_snapshots) and the moved pg_stat_statements counters (statement_snapshots). The daily
 * maintenance (maintenance/control/MaintenanceRuns) purges them after apintake.monitoring.retention-days
 * and resolved alerts after apintake.alerts.retention-days. Also registers the MicroProfile Metrics gauges, which read
 * the last measurement and never query the database during a scrape.
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
    JobClaims claims;

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
    PoolStatistics pool;

    @Inject
    MetricRegistry registry;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.snapshot-seconds", defaultValue = "60")
    long snapshotSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    @PostConstruct
    void start() {
        registerGauges();
        if (snapshotSeconds > 0) {
            long interval = Duration.ofSeconds(snapshotSeconds).toMillis();
            timers.createIntervalTimer(
                    Math.min(interval, 10_000), interval, new TimerConfig("monitoring-snapshot", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void snapshot(Timer timer) {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            Instant now = Instant.now();
            // Every instance measures (its gauges show the latest figures); one per cluster stores them.
            var vitals = vitalSigns.measure();
            var health = healthScore.score(vitals);
            latest.update(vitals, health);
            int slow = slowQueries.slow(Duration.ofHours(1), 1).slowCount();
            latest.slowStatements(slow);
            claims.once(
                    "monitoring-snapshot",
                    "every " + snapshotSeconds + " s",
                    timer,
                    Duration.ofSeconds(snapshotSeconds),
                    () -> {
                        slowQueries.snapshot(now);
                        trends.store(vitals, health, slow, alerts.lastOpenCount());
                    });
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

    private void registerGauges() {
        registry.gauge(
                "database.health.score", () -> number(() -> latest.health().score()));
        for (Threshold threshold : healthScore.thresholds()) {
            Tag tag = new Tag("component", threshold.name());
            registry.gauge(
                    "database.health.component.penalty",
                    () -> number(
                            () -> latest.health().component(threshold.name()).penalty()),
                    tag);
            registry.gauge(
                    "database.health.component.value",
                    () -> number(
                            () -> latest.health().component(threshold.name()).value()),
                    tag);
        }
        registry.gauge(
                "database.pool.used",
                () -> number(() -> pool.usage().orElseThrow().used()));
        registry.gauge(
                "database.pool.free",
                () -> number(() -> pool.usage().orElseThrow().free()));
        registry.gauge(
                "database.pool.wait.queue",
                () -> number(() -> pool.usage().orElseThrow().waitQueueLength()));
        registry.gauge(
                "database.pool.timeouts",
                () -> number(() -> pool.usage().orElseThrow().timedOut()));
        registry.gauge(
                "database.cache.hit.ratio",
                () -> number(() -> latest.vitals().database().cacheHitRatio()));
        registry.gauge("database.slow.queries", () -> number(latest::slowStatements));
    }

    /** NaN (Prometheus' "no value") until the first measurement, or when the figure could not be read. */
    private static Double number(Supplier<? extends Number> value) {
        try {
            Number n = value.get();
            return n == null ? Double.NaN : n.doubleValue();
        } catch (RuntimeException notYet) {
            return Double.NaN;
        }
    }
}
