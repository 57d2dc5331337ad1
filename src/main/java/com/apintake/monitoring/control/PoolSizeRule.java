package com.apintake.monitoring.control;

import java.util.Locale;
import java.util.Optional;

/**
 * The pool size worth having, from what the pool and PostgreSQL were observed doing: the cores rule
 * (connections = 2 x cores + effective spindles, as PostgreSQL's wiki and HikariCP put it), with the
 * spindles measured instead of guessed: the sessions PostgreSQL had waiting inside the server (locks,
 * I/O, LWLocks) do not use a core, so each adds one connection; at least one. PostgreSQL works on about
 * two sessions per core at once (one on the CPU, one between round trips); connections beyond that
 * only queue inside the server, where nothing can refuse them, instead of in the pool and the
 * admission limit, where the excess gets a fast 503. So this is also where the throughput curve bends
 * (the knee the benchmark's pool sweep measures).
 *
 * <ul>
 *   <li>More than the current maximum only when the pool was under pressure in the window: a request
 *       waited or timed out, or the peak use reached the pool_utilization warning threshold.
 *   <li>Fewer whenever the maximum is above the rule, busy or idle: a busy pool above it queues in
 *       PostgreSQL, an idle one only holds backends.
 *   <li>Never more than PostgreSQL lets this pool have (max_connections minus reserved slots and the
 *       other clients' connections).
 * </ul>
 */
public final class PoolSizeRule {

    /** A recommended max-pool-size with the reason in words; more = above the current maximum. */
    public record Advice(int recommended, int cores, int spindles, boolean pressure, boolean more, String reason) {}

    private PoolSizeRule() {}

    /**
     * @param cores the database server's cores
     * @param maxPoolSize the pool's configured maximum
     * @param budget connections PostgreSQL can still give this pool (its current ones included)
     * @param observed the window's observation
     * @param pressureUtilization peak use / maximum (0..1) from which the pool counts as under pressure
     */
    public static Optional<Advice> advise(
            int cores, int maxPoolSize, int budget, PoolDemand.Observed observed, double pressureUtilization) {
        if (maxPoolSize <= 0 || observed.samples() == 0 || cores <= 0) {
            return Optional.empty();
        }
        int spindles = Math.max(1, (int) Math.ceil(observed.meanWaiting() - 0.25));
        int rule = 2 * cores + spindles;
        int recommended = Math.max(1, Math.min(rule, budget));
        boolean pressure = observed.timedOut() > 0
                || observed.peakWaitQueue() > 0
                || observed.peakUtilization() >= pressureUtilization;
        String seen = String.format(
                Locale.ROOT,
                "In the last %d s (%d samples) at most %d of %d connections were in use, %d requests waited at once and"
                        + " %d timed out; PostgreSQL's active sessions were on average %.1f on a CPU and %.1f waiting"
                        + " inside the server (locks, I/O).",
                observed.seconds(),
                observed.samples(),
                observed.peakUsed(),
                maxPoolSize,
                observed.peakWaitQueue(),
                observed.timedOut(),
                observed.meanOnCpu(),
                observed.meanWaiting());
        String ruleText = String.format(
                Locale.ROOT,
                " Cores rule: 2 x %d cores + %d (sessions waiting inside PostgreSQL, at least 1) = %d connections%s.",
                cores,
                spindles,
                rule,
                recommended < rule ? " (capped to the " + budget + " PostgreSQL can still give this pool)" : "");
        if (recommended > maxPoolSize && pressure) {
            return Optional.of(new Advice(
                    recommended,
                    cores,
                    spindles,
                    true,
                    true,
                    seen + ruleText + " The pool is under pressure and the rule leaves room: raise it to "
                            + recommended + ". First look at why sessions wait (a held lock, slow I/O, a leak): a"
                            + " bigger pool only hides that."));
        }
        if (recommended < maxPoolSize) {
            String why = pressure
                    ? " The pool is full, but connections beyond the rule only queue inside PostgreSQL: lower it to "
                            + recommended + " and let the admission limit (apintake.admission.max-concurrent) answer"
                            + " the excess with a fast 503."
                    : " The pool is not under pressure and more than the rule cannot be worked on at once: lower it"
                            + " to " + recommended + "; the idle connections only hold PostgreSQL backends.";
            return Optional.of(new Advice(recommended, cores, spindles, pressure, false, seen + ruleText + why));
        }
        return Optional.empty();
    }
}
