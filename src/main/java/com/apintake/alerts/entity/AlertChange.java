package com.apintake.alerts.entity;

import java.time.Instant;

/** What the sinks (server log, webhook) are told: an alert was opened, escalated or resolved. */
public record AlertChange(
        long alertId,
        String condition,
        String event,
        String severity,
        String summary,
        Double value,
        Double threshold,
        String source,
        Instant openedAt,
        Instant at) {}
