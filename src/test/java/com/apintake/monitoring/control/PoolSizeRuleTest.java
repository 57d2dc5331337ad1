package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolSizeRuleTest {

    private static PoolDemand.Observed observed(
            int max, long peakUsed, long peakWaitQueue, long timedOut, double onCpu, double waiting) {
        return new PoolDemand.Observed(300, 300, max, peakUsed, peakWaitQueue, timedOut, 300, onCpu, waiting);
    }

    @Test
    void aFullPoolWhoseSessionsWaitInsidePostgresGetsMoreUpToTheCoresRule() {
        var advice = PoolSizeRule.advise(2, 5, 90, observed(5, 5, 3, 1, 0.2, 4.0), 0.8)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(2 * 2 + 4);
        assertThat(advice.more()).isTrue();
        assertThat(advice.reason()).contains("2 x 2 cores + 4", "raise it to 8");
    }

    @Test
    void aFullPoolOnCpuIsToldToShrinkToTheKnee() {
        var advice = PoolSizeRule.advise(2, 24, 90, observed(24, 24, 40, 0, 3.5, 0.1), 0.8)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(5);
        assertThat(advice.more()).isFalse();
        assertThat(advice.pressure()).isTrue();
        assertThat(advice.reason()).contains("queue inside PostgreSQL", "apintake.admission.max-concurrent");
    }

    @Test
    void anIdlePoolAboveTheRuleGetsFewerAndOneBelowItNothing() {
        var fewer = PoolSizeRule.advise(2, 75, 90, observed(75, 3, 0, 0, 0.1, 0), 0.8)
                .orElseThrow();
        assertThat(fewer.recommended()).isEqualTo(5);
        assertThat(fewer.reason()).contains("not under pressure");
        assertThat(PoolSizeRule.advise(2, 5, 90, observed(5, 2, 0, 0, 0.1, 0), 0.8))
                .isEmpty();
    }

    @Test
    void noMoreWithoutPressureAndNeverBeyondWhatPostgresAllows() {
        assertThat(PoolSizeRule.advise(8, 10, 90, observed(10, 4, 0, 0, 1, 0), 0.8))
                .isEmpty();
        var capped = PoolSizeRule.advise(8, 10, 12, observed(10, 10, 5, 2, 6, 1), 0.8)
                .orElseThrow();
        assertThat(capped.recommended()).isEqualTo(12);
        assertThat(capped.reason()).contains("capped to the 12");
    }

    @Test
    void aFullPoolWhilePostgresIdlesIsHeldOutsideItAndGrowsByHalf() {
        var advice = PoolSizeRule.advise(2, 8, 90, observed(8, 8, 20, 0, 0.1, 0), 0.8)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(12);
        assertThat(advice.more()).isTrue();
        assertThat(advice.reason()).contains("held outside it");
    }

    @Test
    void aPoolNotUnderPressureIsSizedToItsPeakWhenThatIsAboveTheRule() {
        var advice = PoolSizeRule.advise(2, 32, 90, observed(32, 19, 0, 0, 0.2, 0), 0.8)
                .orElseThrow();
        assertThat(advice.recommended()).isEqualTo(19);
        assertThat(advice.reason()).contains("the peak in use (19)", "lower it to 19");
    }

    @Test
    void theWindowSumsUpPeaksTimeoutsAndMeans() {
        Instant t = Instant.parse("2026-12-01T20:00:00Z");
        var summary = PoolDemand.summarise(
                10,
                List.of(
                        new PoolDemand.Sample(t, 5, 2, 0, 7, 1, 0),
                        new PoolDemand.Sample(t.plusSeconds(1), 5, 5, 3, 8, -1, -1),
                        new PoolDemand.Sample(t.plusSeconds(2), 5, 4, 0, 9, 0, 4)));
        assertThat(summary.peakUsed()).isEqualTo(5);
        assertThat(summary.peakWaitQueue()).isEqualTo(3);
        assertThat(summary.timedOut()).isEqualTo(2);
        assertThat(summary.databaseSamples())
                .as("only the busy samples (3 or more of the peak 5 in use)")
                .isEqualTo(1);
        assertThat(summary.meanWaiting()).isEqualTo(4.0);
        assertThat(summary.peakUtilization()).isEqualTo(1.0);
    }
}
