package com.apintake.alerts.entity;

import java.util.Objects;

/**
 * The API for raising an alert from anywhere in ap-intake: fire this CDI event
 * ({@code @Inject Event<AlertRaised> alerts; alerts.fire(new AlertRaised(...))}) each time the
 * condition is seen. The alert store keeps one open alert per condition: the first event opens it
 * (log + webhook), repeats only refresh it, a worse severity escalates it. Fire {@link AlertCleared}
 * for the same condition when it no longer holds. condition is a stable lower-case name such as
 * "backup_freshness"; value and threshold are optional numbers for the message.
 */
public record AlertRaised(
        String condition, Severity severity, String summary, Double value, Double threshold, String source) {

    public AlertRaised {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        if (!condition.matches("[a-z][a-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("condition must be a lower-case name: " + condition);
        }
        source = source == null ? "ap-intake" : source;
    }
}
