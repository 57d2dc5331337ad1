package com.apintake.monitoring.entity;

/**
 * A measurement with its health score (CDI event). Observed synchronously by the gauges'
 * last-value holder and the alert evaluation, asynchronously by the trend snapshots (so that a
 * snapshot waiting for a locked table never stalls the loop and its alerts). When the database could not be reached
 * vitals.database() is null and the score counts only what was measured.
 */
public record HealthScored(Vitals vitals, HealthReport health) {}
