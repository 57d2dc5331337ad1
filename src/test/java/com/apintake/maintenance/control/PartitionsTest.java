package com.apintake.maintenance.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    @Test
    void aMonthPartitionExpiresWhenItsMonthIsBeforeTheFirstMonthKept() {
        YearMonth firstKept = YearMonth.of(2026, 3);
        assertThat(Partitions.expired("validations_p2026_02", firstKept)).isTrue();
        assertThat(Partitions.expired("validations_p2025_12", firstKept)).isTrue();
        assertThat(Partitions.expired("validations_p2026_03", firstKept)).isFalse();
        assertThat(Partitions.expired("audit_log_p2027_01", firstKept)).isFalse();
        assertThat(Partitions.expired("validations_default", firstKept)).isFalse();
    }
}
