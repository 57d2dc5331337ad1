package com.apintake.monitoring.entity;

/**
 * The monitoring loop's one measurement (CDI event, fired by MonitoringSchedule every
 * apintake.monitoring.measure-seconds). The health score observes it and answers with
 * {@link HealthScored}; nothing else measures the vitals on a timer.
 */
public record VitalsMeasured(Vitals vitals) {}
