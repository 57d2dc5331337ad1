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
        var view = measured.at(NOW, MAX_AGE, null, 0.4);
        assertThat(view.measuredAt()).isEqualTo(NOW.minusMillis(12_500));
        assertThat(view.ageSeconds()).isEqualTo(12.5);
        assertThat(view.maxAgeSeconds()).isEqualTo(60);
        assertThat(view.connectionsAgeSeconds()).isEqualTo(0.4);
    }

    @Test
    void theRenderedAnswerAddsTheAgeAndTheConnectionsWithTheirAgeToTheSharedMembers() {
        var measured = new Dashboard.Measured(
                NOW.minusMillis(2_250),
                null,
                null,
                null,
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of());
        var rendered = Dashboard.rendered(
                measured, "{\"maxAgeSeconds\":60,\"measuredAt\":\"2026-12-01T11:59:57.750Z\",\"alerts\":[]}");
        var json = jakarta.json.Json.createReader(
                        new java.io.StringReader(rendered.at(NOW, "{\"pool\":{\"used\":3}}", 0.75)))
                .readObject();
        assertThat(json.getJsonNumber("ageSeconds").doubleValue()).isEqualTo(2.25);
        assertThat(json.getJsonObject("connections").getJsonObject("pool").getInt("used"))
                .isEqualTo(3);
        assertThat(json.getString("measuredAt")).isEqualTo("2026-12-01T11:59:57.750Z");
        assertThat(json.getInt("maxAgeSeconds")).isEqualTo(60);
        assertThat(json.getJsonArray("alerts")).isEmpty();
        assertThat(json.getJsonNumber("connectionsAgeSeconds").doubleValue()).isEqualTo(0.75);
        // An answer a moment later only moves the age.
        var later = jakarta.json.Json.createReader(
                        new java.io.StringReader(rendered.at(NOW.plusMillis(500), "{}", 0.0)))
                .readObject();
        assertThat(later.getJsonNumber("ageSeconds").doubleValue()).isEqualTo(2.75);
    }

    @Test
    void theSharedPartIsTheViewWithoutThePerAnswerMembers() {
        var measured = new Dashboard.Measured(
                NOW, null, null, null, java.util.List.of(), java.util.List.of(), java.util.List.of());
        var shared = measured.shared(60);
        assertThat(shared.ageSeconds()).isNull();
        assertThat(shared.connections()).isNull();
        assertThat(shared.connectionsAgeSeconds()).isNull();
        assertThat(shared)
                .usingRecursiveComparison()
                .ignoringFields("ageSeconds", "connections", "connectionsAgeSeconds")
                .isEqualTo(measured.at(NOW, MAX_AGE, null, 0.4));
    }

    @Test
    void anEmptySharedPartStillRendersOneObject() {
        var measured = new Dashboard.Measured(NOW, null, null, null, null, null, null);
        var json = jakarta.json.Json.createReader(new java.io.StringReader(
                        Dashboard.rendered(measured, "{}").at(NOW, "{}", 0.0)))
                .readObject();
        assertThat(json.keySet()).containsExactlyInAnyOrder("ageSeconds", "connections", "connectionsAgeSeconds");
    }
}
