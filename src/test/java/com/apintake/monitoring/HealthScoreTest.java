package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Threshold;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published formula of the health score (README: "The health score"). */
class HealthScoreTest {

    static final Threshold LOCKS = new Threshold("lock_contention", "blocked sessions", 1, 5, 15);
    static final Threshold CACHE = new Threshold("cache_hit_ratio", "%", 99, 95, 15);

    @Test
    void nothingIsLostOnTheGoodSideOfWarnAt() {
        assertThat(LOCKS.severity(0)).isZero();
        assertThat(CACHE.severity(99.5)).isZero();
    }

    @Test
    void halfTheWeightAtWarnAtRisingLinearlyToAllOfItAtCritAt() {
        assertThat(LOCKS.severity(1)).isEqualTo(0.5);
        assertThat(LOCKS.severity(3)).isEqualTo(0.75);
        assertThat(LOCKS.severity(5)).isEqualTo(1);
        assertThat(LOCKS.severity(50)).isEqualTo(1);
        // lower is worse for the cache hit ratio
        assertThat(CACHE.higherIsWorse()).isFalse();
        assertThat(CACHE.severity(99)).isEqualTo(0.5);
        assertThat(CACHE.severity(97)).isEqualTo(0.75);
        assertThat(CACHE.severity(80)).isEqualTo(1);
    }

    @Test
    void theScoreIsAHundredMinusThePenaltiesAndWeightsAreScaledToAHundred() {
        var report = HealthScore.compute(
                Instant.now(),
                List.of(
                        new HealthScore.Measured(LOCKS, 3.0, null),
                        new HealthScore.Measured(CACHE, 100.0, null),
                        new HealthScore.Measured(
                                new Threshold("backup_freshness", "h", 26, 50, 20), null, "none yet")));
        // weights 15, 15, 20 of 50 -> 30, 30, 40 points; locks cost 75 % of 30
        assertThat(report.component("lock_contention").weight()).isEqualTo(30);
        assertThat(report.component("lock_contention").penalty()).isEqualTo(22.5);
        assertThat(report.component("cache_hit_ratio").penalty()).isZero();
        assertThat(report.component("backup_freshness").penalty()).isZero();
        assertThat(report.component("backup_freshness").value()).isNull();
        assertThat(report.component("backup_freshness").note()).isEqualTo("none yet");
        assertThat(report.score()).isEqualTo(78);
        assertThat(report.status()).isEqualTo("warning");
        assertThat(report.components().stream().mapToDouble(c -> c.weight()).sum())
                .isCloseTo(100, within(0.01));
    }

    @Test
    void statusBands() {
        assertThat(HealthReport.status(100)).isEqualTo("healthy");
        assertThat(HealthReport.status(80)).isEqualTo("healthy");
        assertThat(HealthReport.status(79)).isEqualTo("warning");
        assertThat(HealthReport.status(60)).isEqualTo("warning");
        assertThat(HealthReport.status(59)).isEqualTo("critical");
        assertThat(HealthReport.status(0)).isEqualTo("critical");
    }

    @Test
    void aThresholdNeedsTwoDifferentLimits() {
        assertThatThrownBy(() -> new Threshold("x", "%", 5, 5, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Threshold("x", "%", 5, 6, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
