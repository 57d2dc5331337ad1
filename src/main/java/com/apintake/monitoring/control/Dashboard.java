package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.AlertFeed;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Recommendation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything of /api/v1/database/* in one document, from one measurement of the vitals: what a
 * dashboard polls. Its cost is measured in docs/benchmarks.md (Dashboard latency).
 */
@ApplicationScoped
public class Dashboard {

    public record View(
            Instant measuredAt,
            HealthReport health,
            ConnectionOverview.Connections connections,
            DatabaseMetrics.Metrics metrics,
            SlowQueries.Window slowQueries,
            List<SlowSqlLog.Entry> payaraSlowSql,
            List<Recommendation> recommendations,
            List<?> alerts) {}

    static final Duration SLOW_WINDOW = Duration.ofHours(1);
    static final int TOP = 10;

    @Inject
    VitalSigns vitalSigns;

    @Inject
    HealthScore healthScore;

    @Inject
    ConnectionOverview connections;

    @Inject
    DatabaseMetrics metrics;

    @Inject
    SlowQueries slowQueries;

    @Inject
    SlowSqlLog slowSqlLog;

    @Inject
    Recommendations recommendations;

    @Inject
    Instance<AlertFeed> alerts;

    public View view() {
        var vitals = vitalSigns.measure();
        var health = healthScore.score(vitals);
        Instant now = vitals.at();
        return new View(
                now,
                health,
                connections.current(),
                metrics.metrics(vitals),
                slowQueries.slow(SLOW_WINDOW, TOP),
                slowSqlLog.recent(now.minus(SLOW_WINDOW), TOP),
                recommendations.all(vitals),
                alerts.isResolvable() ? alerts.get().recent(now.minus(Duration.ofDays(1)), 20) : List.of());
    }
}
