package com.apintake.alerts.boundary;

import com.apintake.alerts.control.AlertRules;
import com.apintake.alerts.control.AlertStore;
import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.VitalSigns;
import com.apintake.platform.control.Migrations;
import com.apintake.platform.control.Thresholds;
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
import java.util.logging.Logger;
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
    Thresholds thresholds;

    @Inject
    MetricRegistry registry;

    @Inject
    @ConfigProperty(name = "apintake.alerts.evaluate-seconds", defaultValue = "30")
    long evaluateSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    @PostConstruct
    void start() {
        registry.gauge(
                org.eclipse.microprofile.metrics.Metadata.builder()
                        .withName("alerts_open")
                        .withDescription("Alerts open now (warning or critical), as counted by the last evaluation")
                        .build(),
                () -> store.lastOpenCount());
        if (evaluateSeconds > 0) {
            long interval = Duration.ofSeconds(evaluateSeconds).toMillis();
            timers.createIntervalTimer(Math.min(interval, 5_000), interval, new TimerConfig("alert-evaluation", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void evaluate() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            var vitals = vitalSigns.measure();
            var health = healthScore.score(vitals);
            latest.update(vitals, health);
            String problem = vitals.databaseError();
            for (Object outcome :
                    AlertRules.evaluate(vitals, vitals.database() == null ? null : health, thresholds::limit)) {
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
}
