package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
