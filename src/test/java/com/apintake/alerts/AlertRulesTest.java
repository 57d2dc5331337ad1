package com.apintake.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.alerts.control.AlertRules;
import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    static Vitals.Pool pool(long used, int max, long waiting, long timeoutsInWindow) {
        return new Vitals.Pool(2, max, used, max - used, used, waiting, 7, timeoutsInWindow, 0, 0, 0);
    }

    static Vitals.Database database(int blocked, double idleSeconds, Double cacheHit, Double meanMillis) {
        return new Vitals.Database(
                cacheHit,
                cacheHit,
                cacheHit,
                1000,
                10,
                5,
                0,
                0,
                0,
                0,
                1,
                null,
                100,
                0.0,
                100,
                3,
                10,
                1,
                1,
                idleSeconds > 0 ? 1 : 0,
                idleSeconds,
                blocked,
                0.0,
                null,
                true,
                meanMillis,
                10);
    }

    static HealthReport health(int score) {
        return new HealthReport(score, HealthReport.status(score), Instant.now(), List.of());
    }

    @Test
    void everyRuleClearsWhenAllIsWell() {
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), pool(1, 8, 0, 0), database(0, 0, 0.999, 3.0), null),
                health(95),
                Thresholds::defaults);
        assertThat(outcomes).allMatch(o -> o instanceof AlertCleared);
        assertThat(outcomes)
                .extracting(o -> ((AlertCleared) o).condition())
                .containsExactlyInAnyOrder(
                        "health_score",
                        "pool_utilization",
                        "pool_waits",
                        "query_latency",
                        "blocked_sessions",
                        "idle_in_transaction",
                        "cache_hit_ratio");
    }

    @Test
    void thresholdsRaiseWarningsAndCriticals() {
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), pool(8, 8, 0, 3), database(5, 400, 0.97, 500.0), null),
                health(55),
                Thresholds::defaults);
        assertThat(raised(outcomes, "health_score")).isEqualTo(Severity.CRITICAL);
        assertThat(raised(outcomes, "pool_utilization")).isEqualTo(Severity.CRITICAL);
        assertThat(raised(outcomes, "pool_waits")).isEqualTo(Severity.CRITICAL);
        assertThat(raised(outcomes, "query_latency")).isEqualTo(Severity.WARNING);
        assertThat(raised(outcomes, "blocked_sessions")).isEqualTo(Severity.CRITICAL);
        assertThat(raised(outcomes, "idle_in_transaction")).isEqualTo(Severity.WARNING);
        assertThat(raised(outcomes, "cache_hit_ratio")).isEqualTo(Severity.WARNING);
    }

    @Test
    void waitingWithoutTimeoutsIsAWarning() {
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), pool(6, 8, 2, 0), null, "down"), null, Thresholds::defaults);
        assertThat(raised(outcomes, "pool_waits")).isEqualTo(Severity.WARNING);
    }

    @Test
    void whatCouldNotBeMeasuredNeitherRaisesNorClears() {
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), null, null, "SQLException: no connection"), null, Thresholds::defaults);
        assertThat(outcomes).isEmpty();
    }

    private static Severity raised(List<Object> outcomes, String condition) {
        return outcomes.stream()
                .filter(o -> o instanceof AlertRaised r && r.condition().equals(condition))
                .map(o -> ((AlertRaised) o).severity())
                .findFirst()
                .orElseThrow(() -> new AssertionError(condition + " not raised: " + outcomes));
    }

    @Test
    void contributedComponentsAreJudgedByTheRegistryAndUnmeasuredOnesYieldNothing() {
        var components = List.of(
                new com.apintake.monitoring.entity.Component("intake_queue_age", 2400.0, "s", 300, 1800, 10, 10, null),
                new com.apintake.monitoring.entity.Component(
                        "intake_queue_depth", 12.0, "jobs", 1000, 10000, 5, 0, null),
                new com.apintake.monitoring.entity.Component(
                        "replica_lag_bytes", null, "bytes", 16777216, 1073741824, 5, 0, "no replica configured"),
                new com.apintake.monitoring.entity.Component("replica_lag_seconds", 45.0, "s", 30, 300, 5, 3, null));
        var health = new HealthReport(90, "healthy", Instant.now(), components);
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), null, null, "down"),
                health,
                Thresholds::defaults,
                List.of("intake_queue_age", "intake_queue_depth", "replica_lag_bytes", "replica_lag_seconds"));
        var age = outcomes.stream()
                .filter(o -> o instanceof AlertRaised r && r.condition().equals("intake_queue_age"))
                .map(AlertRaised.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(age.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(age.threshold()).isEqualTo(1800.0);
        assertThat(age.summary()).contains("2400 s");
        var lag = outcomes.stream()
                .filter(o -> o instanceof AlertRaised r && r.condition().equals("replica_lag_seconds"))
                .map(AlertRaised.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(lag.severity()).isEqualTo(Severity.WARNING);
        assertThat(outcomes).contains(new AlertCleared("intake_queue_depth", AlertRules.SOURCE));
        assertThat(outcomes)
                .as("an unmeasured replica neither raises nor clears")
                .noneMatch(o -> o.toString().contains("replica_lag_bytes"));
    }

    @Test
    void aLagAlertClearsWhenNoReplicaIsConfiguredAnyMoreButStaysWhileTheReplicaOnlyDoesNotAnswer() {
        var components = List.of(
                new com.apintake.monitoring.entity.Component(
                        "replica_lag_seconds", null, "s", 30, 300, 5, 0, "no replica configured"),
                new com.apintake.monitoring.entity.Component(
                        "replica_lag_bytes", null, "bytes", 16777216, 1073741824, 5, 0, "replica not measurable now"));
        var health = new HealthReport(90, "healthy", Instant.now(), components);
        var outcomes = AlertRules.evaluate(
                new Vitals(Instant.now(), null, null, "down"),
                health,
                Thresholds::defaults,
                List.of("replica_lag_seconds", "replica_lag_bytes"),
                List.of("replica_lag_seconds"));
        assertThat(outcomes)
                .as("removed: cleared")
                .contains(new AlertCleared("replica_lag_seconds", AlertRules.SOURCE));
        assertThat(outcomes)
                .as("unreachable: neither raised nor cleared")
                .noneMatch(o -> o.toString().contains("replica_lag_bytes"));
        var measured = AlertRules.evaluate(
                new Vitals(Instant.now(), null, null, "down"),
                new HealthReport(
                        90,
                        "healthy",
                        Instant.now(),
                        List.of(new com.apintake.monitoring.entity.Component(
                                "replica_lag_seconds", 45.0, "s", 30, 300, 5, 3, null))),
                Thresholds::defaults,
                List.of("replica_lag_seconds"),
                List.of("replica_lag_seconds"));
        assertThat(measured)
                .as("a measured value is judged, whatever absent says")
                .anyMatch(o -> o instanceof AlertRaised r && r.condition().equals("replica_lag_seconds"));
    }
}
