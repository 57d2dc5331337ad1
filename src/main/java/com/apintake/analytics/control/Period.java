package com.apintake.analytics.control;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/** A date range [from, to) of calendar days (in apintake.analytics.time-zone), at most maxDays long: every analytics question is bounded. */
public record Period(LocalDate from, LocalDate to) {

    public Period {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("'to' must be after 'from'");
        }
    }

    public long days() {
        return ChronoUnit.DAYS.between(from, to);
    }
}
