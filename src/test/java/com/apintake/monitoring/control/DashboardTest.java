package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The staleness bound of the dashboard's served figures (docs/read-path.md, "Dashboard"). */
class DashboardTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Duration MAX_AGE = Duration.ofSeconds(60);

    @Test
    void figuresUpToTheMaximumAgeAreServed() {
        assertThat(Dashboard.servable(NOW, NOW, MAX_AGE)).isTrue();
        assertThat(Dashboard.servable(NOW.minusSeconds(30), NOW, MAX_AGE)).isTrue();
        assertThat(Dashboard.servable(NOW.minusSeconds(60), NOW, MAX_AGE)).isTrue();
    }

    @Test
    void olderFiguresAreMeasuredAfresh() {
        assertThat(Dashboard.servable(NOW.minusSeconds(60).minusMillis(1), NOW, MAX_AGE))
                .isFalse();
        assertThat(Dashboard.servable(NOW.minus(Duration.ofHours(1)), NOW, MAX_AGE))
                .isFalse();
    }

    @Test
    void nothingMeasuredYetOrFromTheFutureIsNotServed() {
        assertThat(Dashboard.servable(null, NOW, MAX_AGE)).isFalse();
        assertThat(Dashboard.servable(NOW.plusSeconds(1), NOW, MAX_AGE)).isFalse();
    }

    @Test
    void theAnswerCarriesTheAgeOfItsFigures() {
        var measured = new Dashboard.Measured(
                NOW.minusMillis(12_500),
                null,
                null,
                null,
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of());
        var view = measured.at(NOW, MAX_AGE, null);
        assertThat(view.measuredAt()).isEqualTo(NOW.minusMillis(12_500));
        assertThat(view.ageSeconds()).isEqualTo(12.5);
        assertThat(view.maxAgeSeconds()).isEqualTo(60);
    }
}
