package com.apintake.monitoring.entity;

/**
 * A measurement with its health score (CDI event). Observed by the gauges' last-value holder
 * (synchronously), and by the alert evaluation and the trend snapshots (asynchronously, so that a
 * slow or locked table on their side never stalls the loop). When the database could not be reached
 * vitals.database() is null and the score counts only what was measured.
 */
public record HealthScored(Vitals vitals, HealthReport health) {}
