package com.apintake.platform.entity;

import java.time.OffsetDateTime;

/**
 * A scheduled job as /api/v1/schedules shows it: its schedule, the next due time the instances
 * computed, and its last claimed run. A RUNNING run whose lease has passed is reported as
 * ABANDONED: its instance stopped before it could record the outcome. SKIPPED: the run was claimed
 * and deliberately did nothing (a backup due while the previous one still runs).
 */
public record JobRun(String job, String schedule, boolean catchUp, OffsetDateTime nextDue, Last lastRun) {

    public record Last(
            OffsetDateTime dueAt,
            String instance,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String outcome,
            String detail) {}
}
