package com.apintake.monitoring.entity;

import java.time.Instant;
import java.util.List;

/** The health score: 0..100, its band, and every component that made it. */
public record HealthReport(int score, String status, Instant measuredAt, List<Component> components) {

    public static final int HEALTHY_FROM = 80;
    public static final int WARNING_FROM = 60;

    /** healthy >= 80, warning 60..79, critical < 60. */
    public static String status(int score) {
        if (score >= HEALTHY_FROM) {
            return "healthy";
        }
        return score >= WARNING_FROM ? "warning" : "critical";
    }

    public Component component(String name) {
        return components.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElse(null);
    }
}
