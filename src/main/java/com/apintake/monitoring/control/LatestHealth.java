package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The last measurement the timers made, for the MicroProfile Metrics gauges: a Prometheus scrape
 * reads these numbers and never queries the database itself.
 */
@ApplicationScoped
public class LatestHealth {

    private volatile Vitals vitals;
    private volatile HealthReport health;
    private volatile Integer slowStatements;

    public void update(Vitals vitals, HealthReport health) {
        this.vitals = vitals;
        this.health = health;
    }

    public void slowStatements(int count) {
        this.slowStatements = count;
    }

    public Vitals vitals() {
        return vitals;
    }

    public HealthReport health() {
        return health;
    }

    public Integer slowStatements() {
        return slowStatements;
    }
}
