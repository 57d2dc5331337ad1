package com.apintake.monitoring.entity;

/**
 * How many alerts are open after an evaluation (CDI event the alerts component fires). Monitoring
 * defines it and only observes it, so that monitoring never imports the alerts component: the trends
 * store the number with their next snapshot.
 */
public record OpenAlerts(int count) {}
