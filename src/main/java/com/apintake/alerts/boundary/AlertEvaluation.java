package com.apintake.alerts.boundary;

import com.apintake.alerts.control.AlertRules;
import com.apintake.alerts.control.AlertStore;
import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.monitoring.entity.HealthScored;
import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.OpenAlerts;
import com.apintake.platform.control.JobClaims;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * The alert evaluation, an observer of the monitoring loop: for every scored measurement
 * (HealthScored, in the loop's own thread, so a round uses one connection at a time) it fires {@link AlertRaised} or {@link AlertCleared} for each rule of
 * {@link AlertRules} — the same events any other part of ap-intake uses — then counts the open
 * alerts (OpenAlerts, for the trends and the gauge). A round still running when the next measurement
 * arrives is skipped, not doubled; a round that cannot reach the database leaves the alerts as they
 * are and the next one tries again. Every instance of a cluster measures, but one per loop period
 * evaluates (JobClaims "alert-evaluation"); the others only re-read the open count for their gauge.
 */
@ApplicationScoped
public class AlertEvaluation {

    private static final Logger LOG = Logger.getLogger(AlertEvaluation.class.getName());

    @Inject
    AlertStore store;

    @Inject
    Event<AlertRaised> raised;

    @Inject
    Event<AlertCleared> cleared;

    @Inject
    Event<OpenAlerts> open;

    @Inject
    Thresholds thresholds;

    @Inject
    MetricRegistry registry;

    @Inject
    JobClaims claims;

    /** Health components other parts contribute; those that ask for it are alert conditions too. */
    @Inject
    @Any
    Instance<HealthSignal> signals;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.measure-seconds", defaultValue = "30")
    long measureSeconds;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    /** Created at deployment, so that the gauge is on /metrics before the first evaluation. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {}

    @PostConstruct
    void registerGauge() {
        registry.gauge(
                Metadata.builder()
                        .withName("alerts_open")
                        .withDescription("Alerts open now (warning or critical), as counted by the last evaluation")
                        .build(),
                () -> store.lastOpenCount());
    }

    void evaluate(@Observes HealthScored scored) {
        Duration period = Duration.ofSeconds(Math.max(1, measureSeconds));
        if (!claims.once(
                "alert-evaluation",
                "every " + period.toSeconds() + " s (monitoring loop)",
                period,
                () -> evaluateRound(scored))) {
            try {
                store.countOpen();
            } catch (RuntimeException e) {
                LOG.fine(() -> "Counting open alerts failed: " + e.getMessage());
            }
        }
    }

    private List<String> alertingSignals() {
        return signals.stream()
                .filter(HealthSignal::alerts)
                .map(signal -> signal.threshold().name())
                .toList();
    }

    private List<String> absentSignals() {
        return signals.stream()
                .filter(signal -> signal.alerts() && signal.absent())
                .map(signal -> signal.threshold().name())
                .toList();
    }

    private void evaluateRound(HealthScored scored) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            var vitals = scored.vitals();
            String problem = vitals.databaseError();
            for (Object outcome : AlertRules.evaluate(
                    vitals,
                    vitals.database() == null ? null : scored.health(),
                    thresholds::limit,
                    alertingSignals(),
                    absentSignals())) {
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
                open.fire(new OpenAlerts(store.countOpen()));
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
