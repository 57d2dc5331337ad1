package com.apintake.alerts.control;

import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.monitoring.entity.Component;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds.Limit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The built-in alert rules, evaluated on one measurement. Each rule names a condition and yields
 * either an {@link AlertRaised} (warning or critical) or an {@link AlertCleared}; a rule whose input
 * could not be measured yields nothing, so an outage of the measurement never resolves an alert.
 * Every rule judges its figure by the threshold registry's entry (platform/control/Thresholds), the
 * same pair the health score and the Prometheus rules use.
 */
public final class AlertRules {

    public static final String SOURCE = "monitoring";

    private AlertRules() {}

    /** limits: the registry's entry of a name (Thresholds::limit in the server, Thresholds::defaults in tests). */
    public static List<Object> evaluate(Vitals vitals, HealthReport health, Function<String, Limit> limits) {
        return evaluate(vitals, health, limits, List.of());
    }

    /**
     * signals: the names of contributed health components (HealthSignal.alerts()) that are alert
     * conditions too, judged by the registry's pair of the same name on the value in the report; an
     * unmeasured one (no replica, queue unreadable) yields nothing.
     */
    public static List<Object> evaluate(
            Vitals vitals, HealthReport health, Function<String, Limit> limits, Collection<String> signals) {
        return evaluate(vitals, health, limits, signals, List.of());
    }

    /**
     * absent: the names among signals whose subject does not exist here (HealthSignal.absent(): a replica
     * lag without any replica configured). Unmeasured and absent, their open alert clears; unmeasured only
     * (a replica that does not answer), it is left as it is.
     */
    public static List<Object> evaluate(
            Vitals vitals,
            HealthReport health,
            Function<String, Limit> limits,
            Collection<String> signals,
            Collection<String> absent) {
        List<Object> outcomes = new ArrayList<>();
        if (health != null) {
            for (String name : signals) {
                Component component = health.component(name);
                if (component != null && component.value() == null && absent.contains(name)) {
                    outcomes.add(new AlertCleared(name, SOURCE));
                } else if (component != null && component.value() != null) {
                    outcomes.add(judge(
                            name,
                            limits.apply(name),
                            component.value(),
                            String.format(
                                    Locale.ROOT,
                                    "%s is %s %s (warning at %s, critical at %s)",
                                    name,
                                    number(component.value()),
                                    component.unit(),
                                    number(component.warnAt()),
                                    number(component.critAt()))));
                }
            }
        }
        if (health != null) {
            outcomes.add(judge(
                    "health_score",
                    limits.apply("health_score"),
                    health.score(),
                    "Database health score " + health.score() + " (" + health.status() + ")"));
        }
        var pool = vitals.pool();
        if (pool != null) {
            double utilization = pool.utilizationPercent();
            outcomes.add(judge(
                    "pool_utilization",
                    limits.apply("pool_utilization"),
                    utilization,
                    String.format(
                            Locale.ROOT,
                            "Connection pool %.0f %% used (%d of %d)",
                            utilization,
                            pool.used(),
                            pool.maxPoolSize())));
            // Requests that got no connection failed; requests waiting now are about to.
            outcomes.add(judge(
                    "pool_waits",
                    limits.apply("pool_waits"),
                    pool.timeoutsInWindow() + pool.waitQueueLength(),
                    pool.timeoutsInWindow() + " connection requests timed out recently, " + pool.waitQueueLength()
                            + " waiting now (pool max " + pool.maxPoolSize() + ")"));
        }
        var database = vitals.database();
        if (database != null) {
            if (database.meanStatementMillis() != null) {
                outcomes.add(judge(
                        "query_latency",
                        limits.apply("query_latency"),
                        database.meanStatementMillis(),
                        String.format(
                                Locale.ROOT,
                                "Mean statement time %.1f ms over the recent window",
                                database.meanStatementMillis())));
            }
            outcomes.add(judge(
                    "blocked_sessions",
                    limits.apply("lock_contention"),
                    database.blockedSessions(),
                    database.blockedSessions() + " sessions wait for a lock another session holds"));
            outcomes.add(judge(
                    "idle_in_transaction",
                    limits.apply("idle_in_transaction"),
                    database.oldestIdleInTransactionSeconds(),
                    String.format(
                            Locale.ROOT,
                            "%d sessions idle in transaction, the oldest for %.0f s",
                            database.idleInTransaction(),
                            database.oldestIdleInTransactionSeconds())));
            if (database.cacheHitRatio() != null) {
                double percent = 100 * database.cacheHitRatio();
                outcomes.add(judge(
                        "cache_hit_ratio",
                        limits.apply("cache_hit_ratio"),
                        percent,
                        String.format(Locale.ROOT, "Buffer cache hit ratio %.2f %%", percent)));
            }
        }
        return outcomes;
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    private static Object judge(String condition, Limit limit, double value, String summary) {
        Severity severity = limit.critical(value) ? Severity.CRITICAL : limit.warns(value) ? Severity.WARNING : null;
        return severity == null
                ? new AlertCleared(condition, SOURCE)
                : new AlertRaised(
                        condition,
                        severity,
                        summary,
                        value,
                        severity == Severity.CRITICAL ? limit.crit() : limit.warn(),
                        SOURCE);
    }
}
