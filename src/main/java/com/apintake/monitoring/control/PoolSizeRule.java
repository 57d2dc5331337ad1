package com.apintake.monitoring.control;

import java.util.Locale;
import java.util.Optional;

/**
 * The pool size worth having, estimated from what the pool, this server's CPU and PostgreSQL were
 * observed doing over the window (PoolDemand): Little's law on the pool plus square-root staffing.
 *
 * <p>The connections a workload keeps busy on average are its offered load, a = checkouts per second
 * x mean hold time per checkout (Little's law; the pool's own counters give both: the mean in use is
 * a, the checkouts counter gives the rate, so the hold time needs no timer per request). A pool of
 * exactly a connections would make requests queue for one most of the time; square-root staffing (the
 * Halfin-Whitt rule of call centres and server farms) adds beta x sqrt(a) so that waiting stays rare:
 * N = a + beta x sqrt(a), beta = apintake.pool.headroom (1.0). What a becomes when the pool grows
 * depends on what runs out next:
 *
 * <ul>
 *   <li>Requests waited for a connection and the CPU still had room (busy share below
 *       apintake.pool.cpu-saturation, 0.9): the pool is what limits. The application's work is CPU-bound
 *       here (a request's SQL takes well under a millisecond, the rest is the server's own work), so the
 *       throughput, and with it a, can grow until the CPU saturates: a x saturation / busy share; but
 *       never beyond the demand, the requests in use plus those waiting (holds spent off the CPU, on a
 *       lock or a slow client, are bounded by that).
 *   <li>The CPU is saturated and the host runs this application's work only (apintake.pool.shared-host false,
 *       the default: Payara, its PostgreSQL, the clients that wait for its answers): every hold is stretched by
 *       the threads queued for a core (stretch = the server's runnable threads per core, at least 1), and more
 *       connections only lengthen that queue. The pool is sized to the load at unstretched holds, a / stretch,
 *       rounded up, without square-root headroom: under processor sharing with the pool limiting, that is cores x
 *       the share of a request's CPU work done while holding the connection. But never below cores + 1: a holder
 *       is not runnable all through its hold (it waits on its socket while PostgreSQL answers; a returned
 *       connection waits for the next request thread to wake up), so with one connection per core a core idles
 *       at every such moment. The other runnable threads are part of the same work (a client sends the next
 *       request when an answer comes), so winning CPU from them buys no throughput: the quiet sweeps on 2 cores
 *       measured a plateau from 3 connections, pool 2 below it in two of three (docs/pool-knee.md).
 *   <li>The CPU is saturated and shared with work that is not this application's (apintake.pool.shared-host
 *       true: a build machine, other services), the requests in flight and the runnable threads known (Linux,
 *       admission on): Linux gives every runnable thread an equal share, so the pool decides how much of the
 *       CPU this JVM wins; the pool is the smallest whose request threads win apintake.pool.throughput-share
 *       (0.9) of the throughput an unlimited pool would give (sharedCpu; docs/pool-knee.md).
 *   <li>PostgreSQL's cores are busy (its active sessions reach the database's cores): connections beyond
 *       the cores rule (2 x cores + the sessions waiting inside PostgreSQL) only queue inside PostgreSQL,
 *       where nothing can refuse them, so the cores rule caps the estimate.
 *   <li>Never more than PostgreSQL lets this pool have (max_connections minus reserved slots and the
 *       other clients' connections).
 * </ul>
 *
 * When the window has no flow (no checkouts counted), the estimate falls back to the peak in use and the
 * cores rule.
 */
public final class PoolSizeRule {

    /** A recommended max-pool-size with the reason in words; more = above the current maximum. */
    public record Advice(int recommended, int cores, int spindles, boolean pressure, boolean more, String reason) {}

    /**
     * Tuning of the estimate: CPU busy share counted as saturated (0..1), the square-root headroom beta, on a
     * saturated CPU shared with unrelated work the share (0..1) of the throughput an unlimited pool would give
     * that the pool must reach (apintake.pool.throughput-share), and whether this server's CPU is shared with
     * work that is not this application's (apintake.pool.shared-host).
     */
    public record Tuning(double cpuSaturation, double headroom, double throughputShare, boolean sharedHost) {
        public static final Tuning DEFAULT = new Tuning(0.9, 1.0, 0.9, false);

        public Tuning(double cpuSaturation, double headroom) {
            this(cpuSaturation, headroom, DEFAULT_THROUGHPUT_SHARE, false);
        }
    }

    static final double DEFAULT_THROUGHPUT_SHARE = 0.9;

    /**
     * The smallest pool whose request threads win the target share of the throughput an unlimited pool
     * would give, on a CPU shared per thread with other processes (Linux's fair scheduler gives every
     * runnable thread an equal share). Observed with the pool at its current size: used connections in use,
     * waiting requests waiting for one, inFlight requests in the server (admitted), jvmRunnable this JVM's
     * threads running or queued for a core, requestRunnable those of them that are request threads,
     * otherRunnable the rest of the host's.
     *
     * <p>The requests not waiting for a connection (active = inFlight - waiting) are split between holding
     * one and the phases outside the pool (authentication, JSON) in the proportion of the time each takes;
     * a pool of n lets active x n / used of them work (all inFlight at most), and this JVM's runnable request
     * threads grow with them (its other runnable threads, GC, JIT, timers, do not). Its cores are
     * cores x r / max(cores, r + otherRunnable); its throughput follows them (the CPU work per request does
     * not depend on the pool). Without other runnable threads that is the smallest pool that keeps the cores
     * busy; with them, more threads win more of the shared cores until every request thread works.
     */
    static SharedCpu sharedCpu(
            double used,
            double waiting,
            double inFlight,
            double jvmRunnable,
            double requestRunnable,
            double otherRunnable,
            int cores,
            double target) {
        double active = Math.max(used, inFlight - waiting);
        double all = Math.max(active, inFlight);
        double request = requestRunnable < 0 ? jvmRunnable : Math.min(requestRunnable, jvmRunnable);
        double background = jvmRunnable - request;
        double perActive = request / active;
        double others = Math.max(0, otherRunnable);
        double best = jvmCores(background + perActive * all, others, cores);
        int largest = Math.max(1, (int) Math.ceil(used * all / active));
        for (int n = 1; n <= largest; n++) {
            double working = Math.min(all, active * n / used);
            double gets = jvmCores(background + perActive * working, others, cores);
            if (gets >= target * best) {
                return new SharedCpu(n, gets, best, active, others);
            }
        }
        return new SharedCpu(largest, best, best, active, others);
    }

    /** The cores a JVM with r runnable threads gets next to others runnable threads (equal share per thread). */
    static double jvmCores(double r, double others, int cores) {
        return r <= 0 ? 0 : cores * r / Math.max(cores, r + others);
    }

    /** sharedCpu's answer: the pool, the JVM's cores there and unlimited, the active requests, others' threads. */
    record SharedCpu(int pool, double cores, double bestCores, double active, double otherRunnable) {}

    private PoolSizeRule() {}

    public static Optional<Advice> advise(
            int cores, int maxPoolSize, int budget, PoolDemand.Observed observed, double pressureUtilization) {
        return advise(cores, maxPoolSize, budget, observed, pressureUtilization, Tuning.DEFAULT);
    }

    /**
     * @param cores the database server's cores
     * @param maxPoolSize the pool's configured maximum
     * @param budget connections PostgreSQL can still give this pool (its current ones included)
     * @param observed the window's observation
     * @param pressureUtilization peak use / maximum (0..1) from which the pool counts as under pressure
     * @return empty when there is nothing to say (no samples, or the estimate is the current maximum)
     */
    public static Optional<Advice> advise(
            int cores,
            int maxPoolSize,
            int budget,
            PoolDemand.Observed observed,
            double pressureUtilization,
            Tuning tuning) {
        if (maxPoolSize <= 0 || observed.samples() == 0 || cores <= 0) {
            return Optional.empty();
        }
        var flow = observed.flow();
        int spindles = Math.max(1, (int) Math.ceil(observed.meanWaiting() - 0.25));
        int rule = 2 * cores + spindles;
        boolean waited = observed.timedOut() > 0 || observed.peakWaitQueue() > 0;
        boolean pressure = waited || observed.peakUtilization() >= pressureUtilization;
        boolean databaseBusy = observed.meanOnCpu() + observed.meanWaiting() >= cores;
        double busy = cpuBusy(flow);
        boolean saturated = busy >= tuning.cpuSaturation();
        boolean hasFlow = flow.checkoutsPerSecond() > 0 && flow.meanUsed() > 0;
        double load = flow.meanUsed();
        int wanted;
        String basis;
        if (!hasFlow) {
            wanted = Math.max(rule, (int) observed.peakUsed());
            basis = wanted > rule ? "the peak in use (" + observed.peakUsed() + ")" : "the cores rule";
        } else {
            double offered;
            String why;
            boolean direct = false;
            if (waited && !saturated && busy >= 0) {
                // Requests queued for a connection: the demand is the requests in use plus those waiting, and the
                // CPU bounds how far it can grow (the work is CPU-bound once connections are there).
                double demand = load + flow.meanWaitQueue();
                double cpuBound = busy > 0 ? load * tuning.cpuSaturation() / busy : demand;
                offered = Math.min(demand, cpuBound);
                why = String.format(
                        Locale.ROOT,
                        "requests waited for a connection (%.1f on average) while the CPU was %.0f %% busy: the demand"
                                + " is %.2f in use + waiting, the CPU allows %.2f (%.2f x %.0f %% / %.0f %%), the smaller",
                        flow.meanWaitQueue(),
                        busy * 100,
                        demand,
                        cpuBound,
                        load,
                        tuning.cpuSaturation() * 100,
                        busy * 100);
            } else if (saturated
                    && tuning.sharedHost()
                    && flow.meanInFlight() > 0
                    && flow.meanJvmRunnable() >= 0
                    && flow.meanRunnable() >= 0) {
                // The CPU is saturated and shared: the pool decides how many of this JVM's request threads compete
                // for it. Sized directly (no square-root headroom: the target share is the margin).
                double others = Math.max(0, flow.meanRunnable() - flow.meanJvmRunnable());
                var shared = sharedCpu(
                        load,
                        flow.meanWaitQueue(),
                        flow.meanInFlight(),
                        Math.max(0.5, flow.meanJvmRunnable()),
                        flow.meanRequestRunnable(),
                        others,
                        flow.cores() > 0 ? flow.cores() : cores,
                        tuning.throughputShare());
                offered = shared.pool();
                direct = true;
                why = String.format(
                        Locale.ROOT,
                        "the CPU was %.0f %% busy (saturated from %.0f %%) and shared per thread: %.1f requests in the"
                                + " server, %.1f waiting for a connection, so %.1f working (%.2f in use); this JVM had %.1f"
                                + " threads runnable (%.1f of them request threads) next to %.1f of other processes, %.2f"
                                + " of %d cores. A pool of n lets"
                                + " %.1f x n / %.2f requests work and this JVM's runnable threads grow with them; the"
                                + " smallest pool whose share of the cores reaches %.0f %% of what every request thread"
                                + " working would get (%.2f of %.2f cores)",
                        busy * 100,
                        tuning.cpuSaturation() * 100,
                        flow.meanInFlight(),
                        flow.meanWaitQueue(),
                        shared.active(),
                        load,
                        flow.meanJvmRunnable(),
                        flow.meanRequestRunnable(),
                        others,
                        flow.jvmCores(),
                        flow.cores(),
                        shared.active(),
                        load,
                        tuning.throughputShare() * 100,
                        shared.cores(),
                        shared.bestCores());
            } else if (saturated) {
                // Every hold is stretched by the threads queued for a core; the pool needs only what the
                // throughput the CPU gives would keep busy at holds of their unstretched length. Sized directly:
                // on a saturated CPU a request that waits for a connection would otherwise wait for a core, so
                // headroom against random waits buys nothing and adds threads to the run queue.
                // At least one holder per core plus one: a holder is not runnable all through its hold (it waits
                // on its socket while PostgreSQL answers, and a returned connection waits for the next request
                // thread to wake up), so with only as many connections as cores a core goes idle at every such
                // moment. Quiet sweeps on 2 cores: pool 2 gave 80-85 % of the plateau twice and 96 % once, pool 3
                // reached it every time (docs/pool-knee.md).
                double stretch = flow.cpuStretch();
                int machineCores = flow.cores() > 0 ? flow.cores() : cores;
                double unstretched = Math.ceil(load / stretch - 1e-9);
                offered = Math.max(unstretched, machineCores + 1);
                direct = true;
                why = String.format(
                        Locale.ROOT,
                        "the CPU was %.0f %% busy (saturated from %.0f %%) with %.1f threads per core wanting one, so a"
                                + " hold took %.1fx its length alone on a core; more connections only add to that queue"
                                + " (no square-root headroom: a request waiting for a connection would otherwise wait for a"
                                + " core): %.2f / %.1f = %.2f connections on a core, and at least one per core plus one in"
                                + " transit (a holder waiting on its socket or a connection being handed over leaves a core"
                                + " idle otherwise): %d cores + 1",
                        busy * 100,
                        tuning.cpuSaturation() * 100,
                        flow.meanRunnable() < 0 ? 0 : flow.meanRunnable() / Math.max(1, flow.cores()),
                        stretch,
                        load,
                        stretch,
                        load / stretch,
                        machineCores);
            } else {
                offered = load;
                why = waited
                        ? "requests waited, the CPU busy share is unknown: the load carried now"
                        : "no request waited for a connection: the load carried now is the demand";
            }
            String little = String.format(
                    Locale.ROOT,
                    "Little's law: %.1f checkouts/s x %.1f ms held = %.2f connections busy on average; %s",
                    flow.checkoutsPerSecond(),
                    flow.holdMillis(),
                    load,
                    why);
            if (direct) {
                wanted = (int) offered;
                basis = String.format(Locale.ROOT, "%s: %d", little, wanted);
            } else {
                wanted = (int) Math.ceil(offered + tuning.headroom() * Math.sqrt(offered));
                basis = String.format(
                        Locale.ROOT,
                        "%s: %.2f; + %.1f x sqrt(%.2f) headroom (square-root staffing) = %d",
                        little,
                        offered,
                        tuning.headroom(),
                        offered,
                        wanted);
            }
            if (databaseBusy && wanted > rule) {
                wanted = rule;
                basis += "; capped to the cores rule because PostgreSQL's cores are busy";
            }
        }
        // Never below 2: with one connection every request and every background job (monitoring loop, timers)
        // queue behind each other, and one slow statement stalls the whole API.
        wanted = Math.max(2, wanted);
        int recommended = Math.min(wanted, budget);
        String seen = String.format(
                Locale.ROOT,
                "In the last %d s (%d samples) at most %d of %d connections were in use, %d requests waited at once and"
                        + " %d timed out; this server's CPU was %s busy (%d cores); PostgreSQL's active sessions were on"
                        + " average %.1f on a CPU and %.1f waiting inside the server (locks, I/O).",
                observed.seconds(),
                observed.samples(),
                observed.peakUsed(),
                maxPoolSize,
                observed.peakWaitQueue(),
                observed.timedOut(),
                busy < 0 ? "(unknown)" : String.format(Locale.ROOT, "%.0f %%", busy * 100),
                flow.cores(),
                observed.meanOnCpu(),
                observed.meanWaiting());
        String estimate = String.format(
                Locale.ROOT,
                " Estimate: %s (cores rule for PostgreSQL: 2 x %d + %d = %d)%s.",
                basis,
                cores,
                spindles,
                rule,
                recommended < wanted ? "; capped to the " + budget + " PostgreSQL can still give this pool" : "");
        if (recommended > maxPoolSize) {
            return Optional.of(new Advice(
                    recommended,
                    cores,
                    spindles,
                    pressure,
                    true,
                    seen + estimate + " Raise it to " + recommended
                            + ". If sessions wait inside PostgreSQL (a held lock, slow I/O) or connections leak, fix"
                            + " that first: a bigger pool only hides it."));
        }
        if (recommended < maxPoolSize) {
            String why = pressure
                    ? " Lower it to " + recommended + ": connections beyond it only add work that competes for the same"
                            + " cores; the admission limit (apintake.admission.max-concurrent) answers the excess with a"
                            + " fast 503."
                    : " Lower it to " + recommended + "; the idle connections only hold PostgreSQL backends.";
            return Optional.of(new Advice(recommended, cores, spindles, pressure, false, seen + estimate + why));
        }
        return Optional.empty();
    }

    /** The server's CPU busy share (0..1): measured system-wide, else this JVM's cores over all cores, else -1. */
    static double cpuBusy(PoolDemand.Flow flow) {
        if (flow.cpuBusy() >= 0) {
            return flow.cpuBusy();
        }
        return flow.cores() > 0 && flow.jvmCores() > 0 ? Math.min(1, flow.jvmCores() / flow.cores()) : -1;
    }
}
