package com.apintake.alerts.boundary;

import com.apintake.alerts.control.AlertRules;
import com.apintake.alerts.control.AlertStore;
import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.VitalSigns;
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
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * The alert evaluator: every apintake.alerts.evaluate-seconds it measures the vitals, scores them,
 * and fires {@link AlertRaised} or {@link AlertCleared} for each rule of {@link AlertRules} — the
 * same events any other part of ap-intake uses. A round that is still running when the next is due
 * is not doubled; a round that cannot reach the database leaves the alerts as they are and the next
 * round tries again.
 */
@Singleton
@Startup
@DependsOn("Migrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class AlertEvaluation {

    private static final Logger LOG = Logger.getLogger(AlertEvaluation.class.getName());

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
    AlertStore store;

    @Inject
    Event<AlertRaised> raised;

    @Inject
    Event<AlertCleared> cleared;

    @Inject
    Config config;

    @Inject
    MetricRegistry registry;

    @Inject
    @ConfigProperty(name = "apintake.alerts.evaluate-seconds", defaultValue = "30")
    long evaluateSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    @PostConstruct
    void start() {
        registry.gauge("alerts.open", () -> store.lastOpenCount());
        if (evaluateSeconds > 0) {
            long interval = Duration.ofSeconds(evaluateSeconds).toMillis();
            timers.createIntervalTimer(Math.min(interval, 5_000), interval, new TimerConfig("alert-evaluation", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void evaluate(Timer timer) {
        if (migrations.done()
                && !claims.once(
                        "alert-evaluation",
                        "every " + evaluateSeconds + " s",
                        timer,
                        Duration.ofSeconds(evaluateSeconds),
                        this::evaluateRound)) {
            // Another instance evaluated: this one still reads the open count for its alerts.open gauge.
            try {
                store.countOpen();
            } catch (RuntimeException e) {
                LOG.fine(() -> "Counting open alerts failed: " + e.getMessage());
            }
        }
    }

    private void evaluateRound() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            var vitals = vitalSigns.measure();
            var health = healthScore.score(vitals);
            latest.update(vitals, health);
            String problem = vitals.databaseError();
            for (Object outcome : AlertRules.evaluate(vitals, vitals.database() == null ? null : health, limits())) {
                try {
                    if (outcome instanceof AlertRaised r) {
                        raised.fire(r);
                    } else {
                        cleared.fire((AlertCleared) outcome);
                    }
                } catch (RuntimeException e) {
                    problem = e.getMessage();
                }
            }
            try {
                store.countOpen();
            } catch (RuntimeException e) {
                problem = e.getMessage();
            }
            if (problem != null && !failing) {
                String reason = problem;
                LOG.warning(() -> "Alert evaluation incomplete, retrying next round: " + reason);
            } else if (problem == null && failing) {
                LOG.info("Alert evaluation complete again");
            }
            failing = problem != null;
        } finally {
            running.set(false);
        }
    }

    private AlertRules.Limits limits() {
        var d = AlertRules.Limits.defaults();
        return new AlertRules.Limits(
                value("apintake.alerts.score-warning", Integer.class, d.scoreWarning()),
                value("apintake.alerts.score-critical", Integer.class, d.scoreCritical()),
                value("apintake.alerts.query-latency-ms", Double.class, d.latencyWarningMillis()),
                value("apintake.alerts.query-latency-critical-ms", Double.class, d.latencyCriticalMillis()),
                value("apintake.alerts.pool-utilization-percent", Double.class, d.poolUtilizationWarning()),
                value("apintake.alerts.pool-utilization-critical-percent", Double.class, d.poolUtilizationCritical()),
                value("apintake.alerts.blocked-sessions", Integer.class, d.blockedWarning()),
                value("apintake.alerts.blocked-sessions-critical", Integer.class, d.blockedCritical()),
                value("apintake.alerts.idle-in-transaction-seconds", Double.class, d.idleInTransactionWarningSeconds()),
                value(
                        "apintake.alerts.idle-in-transaction-critical-seconds",
                        Double.class,
                        d.idleInTransactionCriticalSeconds()),
                value("apintake.alerts.cache-hit-ratio", Double.class, d.cacheHitWarning()),
                value("apintake.alerts.cache-hit-ratio-critical", Double.class, d.cacheHitCritical()));
    }

    private <T> T value(String key, Class<T> type, T fallback) {
        return config.getOptionalValue(key, type).orElse(fallback);
    }
}
