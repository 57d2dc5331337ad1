package com.apintake.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobClaimsTest {

    @Test
    void instancesFiringALittleApartAgreeOnTheDueMinute() {
        Instant due = Instant.parse("2026-12-01T02:00:00Z");
        assertThat(JobClaims.due(Instant.parse("2026-12-01T02:00:00.004Z"), JobClaims.CALENDAR))
                .isEqualTo(due);
        assertThat(JobClaims.due(Instant.parse("2026-12-01T02:00:12Z"), JobClaims.CALENDAR))
                .isEqualTo(due);
        // A timer on an instance whose clock runs slightly ahead fires "before" the minute.
        assertThat(JobClaims.due(Instant.parse("2026-12-01T01:59:59.700Z"), JobClaims.CALENDAR))
                .isEqualTo(due);
    }

    @Test
    void anIntervalFiringStandsForTheNearestMultipleOfTheInterval() {
        Duration tenSeconds = Duration.ofSeconds(10);
        assertThat(JobClaims.due(Instant.parse("2026-12-01T02:00:14.999Z"), tenSeconds))
                .isEqualTo(Instant.parse("2026-12-01T02:00:10Z"));
        assertThat(JobClaims.due(Instant.parse("2026-12-01T02:00:15Z"), tenSeconds))
                .isEqualTo(Instant.parse("2026-12-01T02:00:20Z"));
    }

    @Test
    void anAlignedTimerStartsOnTheNextMultipleButNotWithinASecond() {
        Duration period = Duration.ofSeconds(20);
        assertThat(JobClaims.alignedDelay(Instant.parse("2026-12-01T02:00:05Z"), period))
                .isEqualTo(15_000);
        assertThat(JobClaims.alignedDelay(Instant.parse("2026-12-01T02:00:19.500Z"), period))
                .isEqualTo(20_500);
        assertThat(JobClaims.alignedDelay(Instant.parse("2026-12-01T02:00:00Z"), period))
                .isEqualTo(20_000);
    }
}
