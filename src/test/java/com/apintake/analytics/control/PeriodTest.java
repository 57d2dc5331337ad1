package com.apintake.analytics.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PeriodTest {

    private static Period period(String from, String to) {
        return new Period(LocalDate.parse(from), LocalDate.parse(to));
    }

    @Test
    void wholeMonthsInsideAYear() {
        Period year = period("2026-01-15", "2027-01-16");
        assertThat(year.firstWholeMonth()).isEqualTo(LocalDate.parse("2026-02-01"));
        assertThat(year.endOfWholeMonths()).isEqualTo(LocalDate.parse("2027-01-01"));
    }

    @Test
    void periodStartingAndEndingOnMonthBoundaries() {
        Period quarter = period("2026-01-01", "2026-04-01");
        assertThat(quarter.firstWholeMonth()).isEqualTo(LocalDate.parse("2026-01-01"));
        assertThat(quarter.endOfWholeMonths()).isEqualTo(LocalDate.parse("2026-04-01"));
    }

    @Test
    void noWholeMonthMeansAnEmptyMonthRange() {
        for (Period p : new Period[] {
            period("2026-01-15", "2026-02-14"), period("2026-01-02", "2026-02-01"), period("2026-03-01", "2026-03-31")
        }) {
            assertThat(p.firstWholeMonth()).as(p.toString()).isEqualTo(p.from());
            assertThat(p.endOfWholeMonths()).as(p.toString()).isEqualTo(p.from());
        }
    }

    @Test
    void aSingleWholeMonth() {
        Period march = period("2026-03-01", "2026-04-01");
        assertThat(march.firstWholeMonth()).isEqualTo(LocalDate.parse("2026-03-01"));
        assertThat(march.endOfWholeMonths()).isEqualTo(LocalDate.parse("2026-04-01"));
    }
}
