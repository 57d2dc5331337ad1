package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Component;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.HealthScored;
import com.apintake.monitoring.entity.HealthSignal;
import com.apintake.monitoring.entity.Threshold;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.monitoring.entity.VitalsMeasured;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * The health score: 100 minus the points each component costs. Every component has a threshold
 * pair and a weight, all configurable (apintake.monitoring.health.&lt;component&gt;.warn / .crit /
 * .weight); the built-in weights add up to 100, and when other components join through
 * {@link HealthSignal} all weights are scaled to add up to 100 again. The formula is in the README.
 */
@ApplicationScoped
public class HealthScore {

    /** A built-in component: its default threshold and how its value is read from the vitals. */
    record Rule(Threshold defaults, String source, Function<Vitals, Double> value) {}

    /**
     * The components, their units and weights. Their warn/crit pairs are the registry's
     * (platform/control/Thresholds), which says why each lies where it does; the pairs here only
     * document the defaults for the pure tests. What each component reads:
     * pool_utilization: a pool above 80 % used has no room for a burst; at 95 % requests start to queue.
     * pool_waits: requests waiting for a connection now plus those that timed out in the recent window;
     *   any is a symptom, 3 mean users see errors.
     * query_latency: mean statement time over the recent window (pg_stat_statements); an OLTP intake
     *   statement should take milliseconds, 100 ms means something scans, 1 s is an outage in slow motion.
     * cache_hit_ratio: below 99 % the working set no longer fits shared_buffers; below 95 % most reads hit disk.
     * lock_contention: sessions waiting for a lock someone else holds; one is worth a look, five is a pile-up.
     * dead_tuples: the worst table's dead share; 20 % means autovacuum lags, 50 % bloat and slow scans.
     * xid_wraparound: transaction-id age as a share of the 2^31 limit; PostgreSQL stops writes near 100 %.
     * connections_headroom: free share of max_connections minus reserved slots; below 5 % new connections fail.
     */
    static final List<Rule> RULES = List.of(
            new Rule(
                    new Threshold("pool_utilization", "%", 80, 95, 15),
                    "pool",
                    v -> v.pool() == null ? null : v.pool().utilizationPercent()),
            new Rule(
                    new Threshold("pool_waits", "requests", 1, 3, 10),
                    "pool",
                    v -> v.pool() == null
                            ? null
                            : (double) (v.pool().waitQueueLength() + v.pool().timeoutsInWindow())),
            new Rule(
                    new Threshold("query_latency", "ms", 100, 1000, 20),
                    "database",
                    v -> v.database() == null ? null : v.database().meanStatementMillis()),
            new Rule(
                    new Threshold("cache_hit_ratio", "%", 99, 95, 15),
                    "database",
                    v -> v.database() == null || v.database().cacheHitRatio() == null
                            ? null
                            : 100 * v.database().cacheHitRatio()),
            new Rule(
                    new Threshold("lock_contention", "blocked sessions", 1, 5, 15),
                    "database",
                    v -> v.database() == null ? null : (double) v.database().blockedSessions()),
            new Rule(
                    new Threshold("dead_tuples", "%", 20, 50, 5),
                    "database",
                    v -> v.database() == null
                            ? null
                            : v.database().maxDeadTuplePercent() == null
                                    ? 0.0
                                    : v.database().maxDeadTuplePercent()),
            new Rule(
                    new Threshold("xid_wraparound", "%", 50, 75, 10),
                    "database",
                    v -> v.database() == null ? null : v.database().xidAgePercent()),
            new Rule(
                    new Threshold("connections_headroom", "% free", 20, 5, 10),
                    "database",
                    v -> v.database() == null ? null : v.database().headroomPercent()));

    /** A component before weighting: its threshold, the measured value (null: not measured) and why not. */
    public record Measured(Threshold threshold, Double value, String note) {}

    @Inject
    Config config;

    @Inject
    Thresholds thresholds;

    @Inject
    @Any
    Instance<HealthSignal> signals;

    @Inject
    Event<HealthScored> scored;

    /** The loop's step: every measurement is scored once, and the score published to its observers. */
    void scoreMeasurement(@Observes VitalsMeasured measured) {
        HealthScored event = new HealthScored(measured.vitals(), score(measured.vitals()));
        scored.fire(event);
        scored.fireAsync(event);
    }

    public HealthReport score(Vitals vitals) {
        List<Measured> measured = new ArrayList<>();
        for (Rule rule : RULES) {
            Double value = rule.value().apply(vitals);
            String note = null;
            if (value == null) {
                note = rule.source().equals("pool")
                        ? "pool monitoring not available yet (the pool has not been used, or monitoring is off)"
                        : vitals.database() == null
                                ? "database not reachable: " + vitals.databaseError()
                                : "nothing measured yet (no statements or no reads in the window)";
            }
            measured.add(new Measured(configured(rule.defaults()), value, note));
        }
        for (HealthSignal signal : signals) {
            var value = signal.measure();
            measured.add(new Measured(
                    configured(signal.threshold()),
                    value.isPresent() ? value.getAsDouble() : null,
                    value.isPresent() ? null : signal.unmeasured()));
        }
        return compute(vitals.at(), measured);
    }

    public List<Threshold> thresholds() {
        List<Threshold> thresholds = new ArrayList<>();
        RULES.forEach(rule -> thresholds.add(configured(rule.defaults())));
        signals.forEach(signal -> thresholds.add(configured(signal.threshold())));
        return thresholds;
    }

    /** The published formula; pure, so the unit tests pin it down. */
    public static HealthReport compute(java.time.Instant at, List<Measured> measured) {
        double totalWeight =
                measured.stream().mapToDouble(m -> m.threshold().weight()).sum();
        List<Component> components = new ArrayList<>();
        double penalties = 0;
        for (Measured m : measured) {
            Threshold t = m.threshold();
            double weight = totalWeight == 0 ? 0 : 100 * t.weight() / totalWeight;
            double penalty = m.value() == null ? 0 : weight * t.severity(m.value());
            penalties += penalty;
            components.add(new Component(
                    t.name(),
                    m.value() == null ? null : round(m.value(), 3),
                    t.unit(),
                    t.warnAt(),
                    t.critAt(),
                    round(weight, 2),
                    round(penalty, 2),
                    m.note()));
        }
        int score = (int) Math.max(0, Math.min(100, Math.round(100 - penalties)));
        return new HealthReport(score, HealthReport.status(score), at, components);
    }

    /**
     * warn and crit come from the threshold registry (apintake.threshold.&lt;name&gt;.*) when it has an
     * entry of that name, else from the component itself (apintake.monitoring.health.&lt;name&gt;.warn /
     * .crit, for components other parts of ap-intake contribute); the weight is
     * apintake.monitoring.health.&lt;name&gt;.weight.
     */
    private Threshold configured(Threshold defaults) {
        String prefix = "apintake.monitoring.health." + defaults.name() + ".";
        double weight = config.getOptionalValue(prefix + "weight", Double.class).orElse(defaults.weight());
        if (Thresholds.DEFAULTS.stream().anyMatch(l -> l.name().equals(defaults.name()))) {
            Thresholds.Limit limit = thresholds.limit(defaults.name());
            return new Threshold(defaults.name(), defaults.unit(), limit.warn(), limit.crit(), weight);
        }
        return new Threshold(
                defaults.name(),
                defaults.unit(),
                config.getOptionalValue(prefix + "warn", Double.class).orElse(defaults.warnAt()),
                config.getOptionalValue(prefix + "crit", Double.class).orElse(defaults.critAt()),
                weight);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
