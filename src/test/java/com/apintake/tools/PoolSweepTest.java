package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolSweepTest {

    @Test
    void theWarmUpLastsUntilTwoCellsInARowAgreeAfterTheMinimum() {
        assertThat(PoolSweep.warmedUp(List.of(500.0, 510.0)))
                .as("10 s: below the 30 s minimum")
                .isFalse();
        assertThat(PoolSweep.warmedUp(List.of(188.0, 300.0, 400.0, 450.0, 500.0, 600.0)))
                .as("30 s, still rising 20 %")
                .isFalse();
        assertThat(PoolSweep.warmedUp(List.of(188.0, 300.0, 400.0, 450.0, 600.0, 620.0)))
                .as("30 s, the last two within 5 %")
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
