package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void quantilesAreByNearestRank() {
        var stats = Latencies.Stats.of(
                IntStream.rangeClosed(1, 100).mapToObj(i -> (double) (101 - i)).toList());
        assertThat(stats.median()).isEqualTo(50.0);
        assertThat(stats.p95()).isEqualTo(95.0);
        assertThat(stats.p99()).isEqualTo(99.0);
        assertThat(Latencies.Stats.of(List.of(3.0, 1.0, 2.0, 4.0)).median())
                .as("the lower middle")
                .isEqualTo(2.0);
        assertThat(Latencies.Stats.of(List.of()).median()).isNaN();
    }

    @Test
    void warmUpsRunButAreNotTimed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        var millis = Latencies.timings(5, 50, calls::incrementAndGet);
        assertThat(calls).hasValue(55);
        assertThat(millis).hasSize(50).allSatisfy(m -> assertThat(m).isGreaterThanOrEqualTo(0.0));
    }

    @Test
    void aWrongAnswerStopsTheRun() {
        assertThatThrownBy(() -> Latencies.sequential(0, 3, () -> {
                    throw new IllegalStateException("answered 500");
                }))
                .hasMessageContaining("500");
    }
}
