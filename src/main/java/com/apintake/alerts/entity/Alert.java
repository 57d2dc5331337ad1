package com.apintake.alerts.entity;

import java.time.Instant;
import java.util.List;

/** One alert episode of a condition, with its history (opened, escalated, resolved). status: open or resolved. */
public record Alert(
        long id,
        String condition,
        String severity,
        String status,
        String summary,
        Double value,
        Double threshold,
        String source,
        Instant openedAt,
        Instant lastSeenAt,
        Instant escalatedAt,
        Instant resolvedAt,
        List<Event> history) {

    public record Event(String event, String severity, String summary, Double value, Instant at) {}
}
