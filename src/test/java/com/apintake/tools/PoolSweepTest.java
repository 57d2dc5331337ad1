package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSweepTest {

    @Test
    void theWarmUpLastsUntilTwoWindowsInARowAgreeAfterTheMinimum() {
        assertThat(PoolSweep.warmedUp(List.of(500.0, 510.0, 505.0, 500.0, 510.0, 505.0)))
                .as("30 s: below the 90 s minimum, however flat")
                .isFalse();
        List<Double> rising = new ArrayList<>();
        for (int i = 0; i < 18; i++) { // 90 s rising 5 % per cell, as the JIT did at 07:05 UTC 2026-12-02
            rising.add(300 * Math.pow(1.05, i));
        }
        assertThat(PoolSweep.warmedUp(rising))
                .as("90 s, each cell within 5 %% of the one before but the windows 15 %% apart")
                .isFalse();
        List<Double> flat = new ArrayList<>(rising);
        flat.addAll(List.of(700.0, 690.0, 720.0, 705.0, 695.0, 710.0));
        assertThat(PoolSweep.warmedUp(flat))
                .as("the last 15 s within 5 % of the 15 s before")
                .isTrue();
    }

    @Test
    void aMachineTooNoisyToAgreeIsWarmAfterTheMaximum() {
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < PoolSweep.WARM_UP_MAX_SECONDS / PoolSweep.WARM_UP_CELL_SECONDS - 1; i++) {
            rates.add(i % 2 == 0 ? 100.0 : 300.0);
        }
        assertThat(PoolSweep.warmedUp(rates)).isFalse();
        rates.add(100.0);
        assertThat(PoolSweep.warmedUp(rates)).isTrue();
    }

    @Test
    void theKneeIsTakenAgainstThePlateauNotTheLuckiestMedian() {
        // the quiet sweeps of 2026-12-02, medians of pools 2, 3, 4, 6, 8, 12, 16, 24, 32
        Map<Integer, Double> at0917 = rates(289, 359, 359, 354, 378, 370, 394, 388, 400);
        assertThat(PoolSweep.kneeOfBest(at0917))
                .as("pool 3 at 89.8 %% of the best")
                .isEqualTo(8);
        assertThat(PoolSweep.kneeOfPlateau(at0917)).isEqualTo(3);
        Map<Integer, Double> at0705 = rates(588, 670, 651, 662, 679, 655, 686, 710, 696);
        assertThat(PoolSweep.kneeOfBest(at0705)).isEqualTo(3);
        assertThat(PoolSweep.kneeOfPlateau(at0705)).isEqualTo(3);
        Map<Integer, Double> at0527 = rates(610, 632, 640, 589, 542, 603, 596, 542, 525);
        assertThat(PoolSweep.kneeOfBest(at0527)).isEqualTo(2);
        assertThat(PoolSweep.kneeOfPlateau(at0527)).isEqualTo(2);
        Map<Integer, Double> rising = rates(100, 200, 300, 400, 500, 600, 700, 800, 900);
        assertThat(PoolSweep.kneeOfPlateau(rising))
                .as("a curve that never flattens: near its end")
                .isEqualTo(24);
    }

    private static Map<Integer, Double> rates(double... medians) {
        int[] sizes = {2, 3, 4, 6, 8, 12, 16, 24, 32};
        Map<Integer, Double> rates = new java.util.LinkedHashMap<>();
        for (int i = 0; i < medians.length; i++) {
            rates.put(sizes[i], medians[i]);
        }
        return rates;
    }
}
