package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolSizeRuleTest {

    private static final PoolSizeRule.Tuning TUNING = new PoolSizeRule.Tuning(0.9, 1.0);

    /** The same, on a host shared with unrelated work (apintake.pool.shared-host=true). */
    private static final PoolSizeRule.Tuning SHARED = new PoolSizeRule.Tuning(0.9, 1.0, 0.9, true);

    /** A 300 s window whose flow is given; PostgreSQL's sessions as onCpu / waiting. */
    private static PoolDemand.Observed observed(
            int max,
            long peakUsed,
            long peakWaitQueue,
            long timedOut,
            double onCpu,
            double waiting,
            PoolDemand.Flow flow) {
        return new PoolDemand.Observed(300, 1200, max, peakUsed, peakWaitQueue, timedOut, 300, onCpu, waiting, flow);
    }

    /** checkouts/s, mean in use, mean waiting, CPU busy share, on 2 cores. */
    private static PoolDemand.Flow flow(double rate, double meanUsed, double meanWaitQueue, double cpuBusy) {
        return flow(rate, meanUsed, meanWaitQueue, cpuBusy, -1);
    }

    /** ... and the server's mean runnable threads (-1 unknown). */
    private static PoolDemand.Flow flow(
            double rate, double meanUsed, double meanWaitQueue, double cpuBusy, double runnable) {
        return new PoolDemand.Flow(
                300,
                rate,
                meanUsed,
                meanWaitQueue,
                meanWaitQueue > 0 ? 0.5 : 0,
                cpuBusy,
                1.0,
                2,
                runnable,
                -1,
                -1,
                -1,
                -1,
                -1);
    }

    /**
     * A sample as the sampler takes it on a server without admission and without /proc/self/task (the
     * requests in flight and the JVM's runnable threads -1), PostgreSQL's pool sessions not asked (-1).
     */
    private static PoolDemand.Sample sample(
            Instant at,
            int maxPoolSize,
            long used,
            long waitQueue,
            long timedOut,
            int onCpu,
            int waiting,
            long checkouts,
            long cpuNanos,
            double cpuBusy,
            int runnable) {
        return new PoolDemand.Sample(
                at,
                maxPoolSize,
                used,
                waitQueue,
                timedOut,
                onCpu,
                waiting,
                checkouts,
                cpuNanos,
                cpuBusy,
                runnable,
                -1,
                -1,
                -1,
                -1,
                -1);
    }

    @Test
    void littlesLawGivesTheHoldTimeFromTheCountersAlone() {
        assertThat(flow(400, 6, 0, 0.5).holdMillis()).isCloseTo(15.0, within(1e-9));
        assertThat(flow(0, 0, 0, 0.5).holdMillis()).isZero();
    }

    @Test
    void aSaturatedCpuSizesThePoolToTheLoadItCarriesWithoutHeadroom() {
        // 400 checkouts/s x 22.5 ms = 9 busy on average, runnable threads unknown (no stretch): 9, fewer than 32;
        // no square-root headroom on a saturated CPU (a request waiting for a connection would wait for a core).
        var advice = PoolSizeRule.advise(2, 32, 90, observed(32, 20, 0, 0, 0.2, 0, flow(400, 9, 0, 0.97)), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(9);
        assertThat(advice.more()).isFalse();
        assertThat(advice.reason())
                .contains(
                        "Little's law",
                        "400.0 checkouts/s x 22.5 ms",
                        "saturated",
                        "no square-root headroom",
                        "Lower it to 9");
    }

    @Test
    void onASaturatedCpuTheHoldsAreUnstretchedByTheThreadsQueuedPerCore() {
        // 30 threads want the 2 cores: a hold takes 15x its length alone; 20 in use -> 1.33 busy unstretched -> 2,
        // and at least one holder per core plus one in transit: 3.
        var advice = PoolSizeRule.advise(
                        2, 32, 90, observed(32, 24, 10, 0, 0.1, 0, flow(40, 20, 10, 1.0, 30)), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(3);
        assertThat(advice.reason())
                .contains(
                        "15.0 threads per core",
                        "15.0x",
                        "1.33 connections on a core",
                        "one per core plus one in transit",
                        "2 cores + 1",
                        "Lower it to 3");
        assertThat(flow(40, 20, 10, 1.0, 1).cpuStretch())
                .as("fewer runnable than cores: no stretch")
                .isEqualTo(1);
    }

    /** ... and the requests in flight, this JVM's runnable threads (the host's in runnable). */
    private static PoolDemand.Flow sharedFlow(
            double rate, double meanUsed, double meanWaitQueue, double runnable, double inFlight, double jvmRunnable) {
        return new PoolDemand.Flow(
                8, rate, meanUsed, meanWaitQueue, 1, 1.0, 1.4, 2, runnable, inFlight, jvmRunnable, -1, -1, -1);
    }

    @Test
    void onASharedSaturatedCpuThePoolLetsEnoughRequestThreadsWorkToWinTheTargetShare() {
        // 60 in the server, 30 waiting for the 3 connections: 30 work (0.1 per working request runnable in this
        // JVM... 9 runnable), 3 other runnable threads. Unlimited: 18 runnable -> 2 x 18 / 21 = 1.71 cores;
        // pool n: 3n runnable -> n = 4 gives 2 x 12 / 15 = 1.6 >= 0.9 x 1.71 (n = 3: 1.5, short).
        var shared = PoolSizeRule.sharedCpu(3, 30, 60, 9, -1, 3, 2, 0.9);
        assertThat(shared.pool()).isEqualTo(4);
        assertThat(shared.cores()).isCloseTo(1.6, within(1e-9));
        assertThat(shared.bestCores()).isCloseTo(2 * 18 / 21.0, within(1e-9));
        var advice = PoolSizeRule.advise(
                        2, 3, 90, observed(3, 3, 40, 0, 0.1, 0, sharedFlow(200, 3, 30, 12, 60, 9)), 0.8, SHARED)
                .orElseThrow();
        assertThat(advice.recommended()).as("no square-root headroom on top").isEqualTo(4);
        assertThat(advice.more()).isTrue();
        assertThat(advice.reason()).contains("shared per thread", "60.0 requests in the server", "Raise it to 4");
    }

    @Test
    void moreCompetingThreadsNeedMoreConnectionsAndNoneNeedOnlyEnoughToFillTheCores() {
        int quiet = PoolSizeRule.sharedCpu(3, 30, 60, 9, -1, 0, 2, 0.9).pool();
        int shared = PoolSizeRule.sharedCpu(3, 30, 60, 9, -1, 3, 2, 0.9).pool();
        int busy = PoolSizeRule.sharedCpu(3, 30, 60, 9, -1, 30, 2, 0.9).pool();
        assertThat(quiet).as("3 runnable threads already fill 2 cores").isEqualTo(1);
        assertThat(shared).isEqualTo(4);
        assertThat(busy).isGreaterThan(shared).isLessThanOrEqualTo(6);
    }

    @Test
    void theJvmsOtherRunnableThreadsDoNotGrowWithThePool() {
        // As the first case, but 3 of the 9 runnable threads are GC/JIT/timers: 6 request threads for 30 working,
        // 0.2 each. Unlimited: 3 + 12 = 15 -> 2 x 15 / 18 = 1.67, 92 % of it 1.53; n = 4: 3 + 8 = 11 -> 1.57
        // (n = 3: 9 -> 1.5, short). All 9 counted as request threads, n = 4 would reach only 1.6 of 1.71.
        var shared = PoolSizeRule.sharedCpu(3, 30, 60, 9, 6, 3, 2, 0.92);
        assertThat(shared.pool()).isEqualTo(4);
        assertThat(shared.bestCores()).isCloseTo(2 * 15 / 18.0, within(1e-9));
        assertThat(PoolSizeRule.sharedCpu(3, 30, 60, 9, 0, 3, 2, 0.92).pool())
                .as("no request thread ever runnable: the pool makes no difference")
                .isEqualTo(1);
    }

    @Test
    void aPoolNobodyWaitsForShrinksToWhatStillWinsTheShare() {
        // 20 of 32 in use, nobody waits, 60 in flight, 40 runnable here, 3 elsewhere: r = 2n, unlimited 1.86 cores;
        // n = 7 -> 14 runnable -> 2 x 14 / 17 = 1.65 < 1.68; n = 8 -> 16 / 19 x 2 = 1.68 >= 0.9 x 1.86.
        var shared = PoolSizeRule.sharedCpu(20, 0, 60, 40, -1, 3, 2, 0.9);
        assertThat(shared.pool()).isEqualTo(8);
        var advice = PoolSizeRule.advise(
                        2, 32, 90, observed(32, 24, 0, 0, 0.1, 0, sharedFlow(240, 20, 0, 43, 60, 40)), 0.8, SHARED)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(8);
        assertThat(advice.more()).isFalse();
    }

    @Test
    void onAHostRunningOnlyThisWorkTheOtherRunnableThreadsAreNotCompetitors() {
        // The quiet sweep's pool-16 cell (2026-12-02 05:27, docs/pool-knee.md): 602 checkouts/s, 13.1 in use, 25.5
        // waiting, 44.7 in flight, host 23.7 runnable of which this JVM 17.6. The other 6 are the load generator and
        // PostgreSQL, the same work: the pool is what keeps 2 cores busy at unstretched holds, 13.1 / 11.85 -> 2,
        // at least 2 cores + 1 -> 3; the quiet sweeps' plateau began at 2-3 connections. Told the host is shared,
        // the estimate asks for more.
        var cell = observed(16, 16, 40, 0, 0.1, 0, sharedFlow(602, 13.14, 25.5, 23.7, 44.7, 17.6));
        var dedicated = PoolSizeRule.advise(2, 16, 90, cell, 0.8, TUNING).orElseThrow();
        assertThat(dedicated.recommended()).isEqualTo(3);
        assertThat(dedicated.reason()).contains("connections on a core").doesNotContain("shared per thread");
        var shared = PoolSizeRule.advise(2, 16, 90, cell, 0.8, SHARED);
        assertThat(shared.map(PoolSizeRule.Advice::recommended).orElse(16)).isGreaterThan(3);
    }

    @Test
    void aThreadStateIsTheLetterAfterTheCommandName() {
        assertThat(PoolDemand.taskState("1234 (http-thread-poo) R 1 2 3")).isEqualTo('R');
        assertThat(PoolDemand.taskState("1234 (a (b) c) S 1 2 3")).isEqualTo('S');
        assertThat(PoolDemand.taskState("garbage")).isEqualTo('?');
        assertThat(PoolDemand.runnableThreads()[0]).as("Linux: this test's JVM").isGreaterThanOrEqualTo(0);
    }

    @Test
    void theRunnableThreadsAreReadFromProcLoadavgWithoutTheSampler() {
        assertThat(PoolDemand.runnable("31.50 20.80 15.77 35/1234 5678")).isEqualTo(34);
        assertThat(PoolDemand.runnable("garbage")).isEqualTo(-1);
    }

    @Test
    void aFullPoolOnASaturatedCpuDoesNotGrow() {
        // Pool-bound (waits) but the CPU is saturated: 8 in use on average, the runnable threads unknown (no
        // stretch): 8, the pool it has. More connections would only queue for the cores: nothing to say.
        assertThat(PoolSizeRule.advise(2, 8, 90, observed(8, 8, 40, 0, 0.1, 0, flow(300, 8, 40, 0.95)), 0.8, TUNING))
                .isEmpty();
    }

    @Test
    void waitsWithCpuToSpareGrowUntilTheCpuSaturates() {
        // 4 in use, 30 waiting, CPU 45 % busy: demand 34, the CPU allows 4 x 0.9 / 0.45 = 8; 8 + sqrt(8) -> 11.
        var advice = PoolSizeRule.advise(2, 4, 90, observed(4, 4, 40, 0, 0.1, 0, flow(200, 4, 30, 0.45)), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(11);
        assertThat(advice.more()).isTrue();
        assertThat(advice.reason()).contains("the CPU allows 8.00", "Raise it to 11");
    }

    @Test
    void waitsWithAnIdleCpuGrowToTheDemandInUseAndWaiting() {
        // Connections held outside the CPU (a slow client, a lock): 4 in use + 2 waiting = 6; 6 + sqrt(6) -> 9.
        var advice = PoolSizeRule.advise(8, 4, 90, observed(4, 4, 3, 1, 0.1, 0, flow(2, 4, 2, 0.05)), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(9);
        assertThat(advice.more()).isTrue();
    }

    @Test
    void busyPostgresCoresCapTheEstimateAtTheCoresRule() {
        // Four sessions waiting on locks inside PostgreSQL, 2 database cores: 2 x 2 + 4 = 8 caps 4 + 20 waiting.
        var advice = PoolSizeRule.advise(2, 4, 90, observed(4, 4, 20, 0, 0.2, 4.0, flow(1, 4, 20, 0.05)), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(8);
        assertThat(advice.reason()).contains("capped to the cores rule", "2 x 2 + 4 = 8");
    }

    @Test
    void anIdlePoolIsToldToShrinkAndOneThatFitsHearsNothing() {
        var fewer = PoolSizeRule.advise(2, 75, 90, observed(75, 3, 0, 0, 0.1, 0, flow(20, 0.5, 0, 0.1)), 0.8, TUNING)
                .orElseThrow();
        // 0.5 + sqrt(0.5) = 1.21 -> 2
        assertThat(fewer.recommended()).isEqualTo(2);
        assertThat(fewer.reason()).contains("no request waited", "Lower it to 2");
        assertThat(PoolSizeRule.advise(2, 2, 90, observed(2, 2, 0, 0, 0.1, 0, flow(20, 0.5, 0, 0.1)), 0.8, TUNING))
                .isEmpty();
    }

    @Test
    void neverBeyondWhatPostgresAllows() {
        var capped = PoolSizeRule.advise(8, 10, 12, observed(10, 10, 50, 2, 1, 0, flow(300, 10, 50, 0.3)), 0.8, TUNING)
                .orElseThrow();
        assertThat(capped.recommended()).isEqualTo(12);
        assertThat(capped.reason()).contains("capped to the 12");
    }

    @Test
    void withoutFlowTheCoresRuleAndThePeakDecide() {
        var advice = PoolSizeRule.advise(2, 32, 90, observed(32, 19, 0, 0, 0.2, 0, PoolDemand.Flow.NONE), 0.8, TUNING)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(19);
        assertThat(advice.reason()).contains("the peak in use (19)");
    }

    @Test
    void theWindowSumsUpPeaksTimeoutsMeansAndTheFlow() {
        Instant t = Instant.parse("2026-12-01T20:00:00Z");
        var summary = PoolDemand.summarise(
                10,
                List.of(
                        sample(t, 5, 2, 0, 7, 1, 0, 1_000, 0L, 0.2, 3),
                        sample(t.plusSeconds(1), 5, 5, 3, 8, -1, -1, 1_100, 500_000_000L, 0.6, -1),
                        sample(t.plusSeconds(2), 5, 4, 0, 9, 0, 4, 1_300, 1_000_000_000L, 0.8, 5)));
        assertThat(summary.peakUsed()).isEqualTo(5);
        assertThat(summary.peakWaitQueue()).isEqualTo(3);
        assertThat(summary.timedOut()).isEqualTo(2);
        assertThat(summary.databaseSamples())
                .as("only the busy samples (3 or more of the peak 5 in use)")
                .isEqualTo(1);
        assertThat(summary.meanWaiting()).isEqualTo(4.0);
        assertThat(summary.peakUtilization()).isEqualTo(1.0);
        var flow = summary.flow();
        assertThat(flow.checkoutsPerSecond()).as("300 checkouts in 2 s").isEqualTo(150.0);
        assertThat(flow.meanUsed()).isCloseTo(11 / 3.0, within(1e-9));
        assertThat(flow.meanWaitQueue()).isEqualTo(1.0);
        assertThat(flow.waitingShare()).isCloseTo(1 / 3.0, within(1e-9));
        assertThat(flow.cpuBusy())
                .as("the first sample's share is before the window")
                .isCloseTo(0.7, within(1e-9));
        assertThat(flow.jvmCores()).isCloseTo(0.5, within(1e-9));
        assertThat(flow.holdMillis()).isCloseTo(11 / 3.0 / 150 * 1000, within(1e-9));
        assertThat(flow.meanRunnable()).as("samples that could read it").isEqualTo(4.0);
    }

    @Test
    void countersThatWentDownGiveNoFlow() {
        Instant t = Instant.parse("2026-12-01T20:00:00Z");
        var flow = PoolDemand.summarise(
                        10,
                        List.of(
                                sample(t, 5, 2, 0, 0, 1, 0, 1_000, 10L, -1, -1),
                                sample(t.plusSeconds(1), 5, 2, 0, 0, 1, 0, 10, 20L, -1, -1)))
                .flow();
        assertThat(flow.checkoutsPerSecond()).isZero();
        assertThat(flow.cpuBusy()).isEqualTo(-1);
    }
}
