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
 * (the knee the benchmark's pool sweep measures, when PostgreSQL is what runs out).
 *
 * <ul>
 *   <li>Not under pressure (no request waited or timed out, peak use below the pool_utilization warning
 *       threshold): the larger of the rule and the peak in use, i.e. fewer when the pool is above both.
 *   <li>Under pressure with PostgreSQL's cores busy (its active sessions reach the cores): the rule,
 *       more or fewer: beyond it connections only queue inside PostgreSQL.
 *   <li>Under pressure with PostgreSQL's cores idle: the connections are held outside it (the
 *       application's own work between statements, a slow client), so more help: half again the pool,
 *       at least the rule; the next window says whether that was enough.
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
        boolean pressure = observed.timedOut() > 0
                || observed.peakWaitQueue() > 0
                || observed.peakUtilization() >= pressureUtilization;
        // PostgreSQL's cores are busy when its active sessions (on a CPU or waiting inside it) reach them.
        boolean databaseBusy = observed.meanOnCpu() + observed.meanWaiting() >= cores;
        int wanted;
        String basis;
        if (!pressure) {
            // Not limited by the pool: the peak in use is the demand the application itself produced.
            wanted = Math.max(rule, (int) observed.peakUsed());
            basis = wanted > rule ? "the peak in use (" + observed.peakUsed() + ")" : "the cores rule";
        } else if (databaseBusy) {
            wanted = rule;
            basis = "the cores rule (PostgreSQL's cores are busy)";
        } else {
            // Requests wait for connections while PostgreSQL has idle cores: the connections are held outside it
            // (the application's work between statements), so more help; grow by half and look again.
            wanted = Math.max(rule, (int) Math.ceil(maxPoolSize * 1.5));
            basis = "half again the pool (PostgreSQL has idle cores, so connections are held outside it)";
        }
        int recommended = Math.max(1, Math.min(wanted, budget));
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
                " Cores rule: 2 x %d cores + %d (sessions waiting inside PostgreSQL, at least 1) = %d connections;"
                        + " recommended from %s: %d%s.",
                cores,
                spindles,
                rule,
                basis,
                wanted,
                recommended < wanted ? " (capped to the " + budget + " PostgreSQL can still give this pool)" : "");
        if (recommended > maxPoolSize && pressure) {
            return Optional.of(new Advice(
                    recommended,
                    cores,
                    spindles,
                    true,
                    true,
                    seen + ruleText + " The pool is under pressure: raise it to "
                            + recommended + ". First look at why sessions wait (a held lock, slow I/O, a leak): a"
                            + " bigger pool only hides that."));
        }
        if (recommended < maxPoolSize) {
            String why = pressure
                    ? " The pool is full, but connections beyond the rule only queue inside PostgreSQL: lower it to "
                            + recommended + " and let the admission limit (apintake.admission.max-concurrent) answer"
                            + " the excess with a fast 503."
                    : " The pool is not under pressure: lower it to " + recommended
                            + "; the idle connections only hold PostgreSQL backends.";
            return Optional.of(new Advice(recommended, cores, spindles, pressure, false, seen + ruleText + why));
        }
        return Optional.empty();
    }
}
