package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.HealthScored;
import com.apintake.monitoring.entity.OpenAlerts;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The last measurement of the monitoring loop (observed), for the MicroProfile Metrics gauges: a Prometheus scrape
 * reads these numbers and never queries the database itself.
 */
@ApplicationScoped
public class LatestHealth {

    private volatile Vitals vitals;
    private volatile HealthReport health;
    private volatile Integer slowStatements;
    private volatile Integer openAlerts;

    void scored(@Observes HealthScored scored) {
        this.vitals = scored.vitals();
        if (scored.health() != null) {
            this.health = scored.health();
        }
    }

    void alertsCounted(@Observes OpenAlerts open) {
        this.openAlerts = open.count();
    }

    /** Open alerts at the alert evaluation's last count; null before the first. */
    public Integer openAlerts() {
        return openAlerts;
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
