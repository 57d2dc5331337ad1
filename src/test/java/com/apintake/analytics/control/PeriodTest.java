package com.apintake.analytics.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PeriodTest {

    private static Period period(String from, String to) {
        return new Period(LocalDate.parse(from), LocalDate.parse(to));
    }

    @Test
    void countsItsDaysWithToExclusive() {
        assertThat(period("2026-01-15", "2027-01-15").days()).isEqualTo(365);
        assertThat(period("2026-03-31", "2026-04-01").days()).isEqualTo(1);
    }

    @Test
    void toMustBeAfterFrom() {
        assertThatThrownBy(() -> period("2026-03-01", "2026-03-01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> period("2026-03-02", "2026-03-01")).isInstanceOf(IllegalArgumentException.class);
    }
}
