package com.apintake.alerts.control;

import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The built-in alert rules, evaluated on one measurement. Each rule names a condition and yields
 * either an {@link AlertRaised} (warning or critical) or an {@link AlertCleared}; a rule whose input
 * could not be measured yields nothing, so an outage of the measurement never resolves an alert.
 */
public final class AlertRules {

    public static final String SOURCE = "monitoring";

    /**
     * The thresholds (config keys apintake.alerts.*). A value at or beyond the warning threshold
     * raises a warning, at or beyond the critical one a critical alert; for the score and the cache
     * hit ratio lower is worse.
     */
    public record Limits(
            int scoreWarning,
            int scoreCritical,
            double latencyWarningMillis,
            double latencyCriticalMillis,
            double poolUtilizationWarning,
            double poolUtilizationCritical,
            int blockedWarning,
            int blockedCritical,
            double idleInTransactionWarningSeconds,
            double idleInTransactionCriticalSeconds,
            double cacheHitWarning,
            double cacheHitCritical) {

        public static Limits defaults() {
            return new Limits(80, 60, 1000, 5000, 80, 95, 1, 5, 300, 1800, 0.95, 0.90);
        }
    }

    private AlertRules() {}

    public static List<Object> evaluate(Vitals vitals, HealthReport health, Limits limits) {
        List<Object> outcomes = new ArrayList<>();
        if (health != null) {
            int score = health.score();
            Severity severity = score < limits.scoreCritical()
                    ? Severity.CRITICAL
                    : score < limits.scoreWarning() ? Severity.WARNING : null;
            outcomes.add(outcome(
                    "health_score",
                    severity,
                    "Database health score " + score + " (" + health.status() + ")",
                    score,
                    severity == Severity.CRITICAL ? limits.scoreCritical() : limits.scoreWarning()));
        }
        var pool = vitals.pool();
        if (pool != null) {
            double utilization = pool.utilizationPercent();
            outcomes.add(higher(
                    "pool_utilization",
                    utilization,
                    limits.poolUtilizationWarning(),
                    limits.poolUtilizationCritical(),
                    String.format(
                            Locale.ROOT,
                            "Connection pool %.0f %% used (%d of %d)",
                            utilization,
                            pool.used(),
                            pool.maxPoolSize())));
            // Requests that got no connection failed; requests waiting now are about to.
            Severity severity = pool.timeoutsInWindow() > 0
                    ? Severity.CRITICAL
                    : pool.waitQueueLength() > 0 ? Severity.WARNING : null;
            outcomes.add(outcome(
                    "pool_waits",
                    severity,
                    pool.timeoutsInWindow() + " connection requests timed out recently, " + pool.waitQueueLength()
                            + " waiting now (pool max " + pool.maxPoolSize() + ")",
                    pool.timeoutsInWindow() + pool.waitQueueLength(),
                    0));
        }
        var database = vitals.database();
        if (database != null) {
            if (database.meanStatementMillis() != null) {
                outcomes.add(higher(
                        "query_latency",
                        database.meanStatementMillis(),
                        limits.latencyWarningMillis(),
                        limits.latencyCriticalMillis(),
                        String.format(
                                Locale.ROOT,
                                "Mean statement time %.1f ms over the recent window",
                                database.meanStatementMillis())));
            }
            outcomes.add(higher(
                    "blocked_sessions",
                    database.blockedSessions(),
                    limits.blockedWarning(),
                    limits.blockedCritical(),
                    database.blockedSessions() + " sessions wait for a lock another session holds"));
            outcomes.add(higher(
                    "idle_in_transaction",
                    database.oldestIdleInTransactionSeconds(),
                    limits.idleInTransactionWarningSeconds(),
                    limits.idleInTransactionCriticalSeconds(),
                    String.format(
                            Locale.ROOT,
                            "%d sessions idle in transaction, the oldest for %.0f s",
                            database.idleInTransaction(),
                            database.oldestIdleInTransactionSeconds())));
            if (database.cacheHitRatio() != null) {
                double ratio = database.cacheHitRatio();
                Severity severity = ratio < limits.cacheHitCritical()
                        ? Severity.CRITICAL
                        : ratio < limits.cacheHitWarning() ? Severity.WARNING : null;
                outcomes.add(outcome(
                        "cache_hit_ratio",
                        severity,
                        String.format(Locale.ROOT, "Buffer cache hit ratio %.4f", ratio),
                        ratio,
                        severity == Severity.CRITICAL ? limits.cacheHitCritical() : limits.cacheHitWarning()));
            }
        }
        return outcomes;
    }

    private static Object higher(String condition, double value, double warning, double critical, String summary) {
        Severity severity = value >= critical ? Severity.CRITICAL : value >= warning ? Severity.WARNING : null;
        return outcome(condition, severity, summary, value, severity == Severity.CRITICAL ? critical : warning);
    }

    private static Object outcome(String condition, Severity severity, String summary, double value, double threshold) {
        return severity == null
                ? new AlertCleared(condition, SOURCE)
                : new AlertRaised(condition, severity, summary, value, threshold, SOURCE);
    }
}
