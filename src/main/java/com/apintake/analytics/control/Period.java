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

    /**
     * Start of the calendar months wholly inside the period, which the monthly rollups answer; from
     * when there is none (then the months [from, from) are empty and the days cover everything).
     */
    public LocalDate firstWholeMonth() {
        return hasWholeMonth() ? monthAfterOrAtFrom() : from;
    }

    /** End (exclusive) of the calendar months wholly inside the period; from when there is none. */
    public LocalDate endOfWholeMonths() {
        return hasWholeMonth() ? to.withDayOfMonth(1) : from;
    }

    private boolean hasWholeMonth() {
        return monthAfterOrAtFrom().isBefore(to.withDayOfMonth(1));
    }

    private LocalDate monthAfterOrAtFrom() {
        return from.getDayOfMonth() == 1 ? from : from.withDayOfMonth(1).plusMonths(1);
    }
}
