package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LiveConnectionsTest {

    private static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");
    private static final Duration MAX_AGE = Duration.ofMillis(5000);

    @Test
    void aSnapshotIsServedUpToItsMaximumAge() {
        assertThat(LiveConnections.servable(NOW, NOW, MAX_AGE)).isTrue();
        assertThat(LiveConnections.servable(NOW.minusMillis(1000), NOW, MAX_AGE))
                .isTrue();
        assertThat(LiveConnections.servable(NOW.minusMillis(5000), NOW, MAX_AGE))
                .isTrue();
        assertThat(LiveConnections.servable(NOW.minusMillis(5001), NOW, MAX_AGE))
                .isFalse();
    }

    @Test
    void noSnapshotOrOneFromTheFutureIsTakenAfresh() {
        assertThat(LiveConnections.servable(null, NOW, MAX_AGE)).isFalse();
        assertThat(LiveConnections.servable(NOW.plusMillis(1), NOW, MAX_AGE)).isFalse();
    }

    @Test
    void theAgeIsSecondsSinceTheSnapshotAndNeverNegative() {
        var snapshot = new LiveConnections.Snapshot(NOW.minusMillis(750), null, "{}");
        assertThat(snapshot.ageSeconds(NOW)).isEqualTo(0.75);
        assertThat(snapshot.ageSeconds(NOW.minusSeconds(1))).isEqualTo(0.0);
    }
}
