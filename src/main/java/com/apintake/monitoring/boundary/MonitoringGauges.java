package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.LatestHealth;
import com.apintake.monitoring.control.PoolStatistics;
import com.apintake.monitoring.entity.Threshold;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * The monitoring gauges on /metrics (application scope). They read the last measurement of the
 * monitoring loop (and the pool's MBean, which is in memory): a scrape never queries the database.
 * Each family has HELP text and carries its unit once, in its name, with no unit in the metadata
 * (Payara appends a unit suffix of its own otherwise). NaN until the first measurement, or when the
 * figure could not be read.
 */
@ApplicationScoped
public class MonitoringGauges {

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry registry;

    @Inject
    LatestHealth latest;

    @Inject
    HealthScore healthScore;

    @Inject
    PoolStatistics pool;

    void register(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        gauge(
                "database_health_score",
                "Database health score, 0..100 (healthy >= 80, critical < 60)",
                () -> latest.health().score());
        for (Threshold threshold : healthScore.thresholds()) {
            Tag tag = new Tag("component", threshold.name());
            gauge(
                    "database_health_component_penalty",
                    "Points a health score component costs now (0 up to its weight)",
                    () -> latest.health().component(threshold.name()).penalty(),
                    tag);
            gauge(
                    "database_health_component_value",
                    "Measured value of a health score component, in the unit of GET /api/v1/database/health",
                    () -> latest.health().component(threshold.name()).value(),
                    tag);
        }
        gauge(
                "database_pool_used",
                "Connections of the JDBC pool in use now",
                () -> pool.usage().orElseThrow().used());
        gauge(
                "database_pool_free",
                "Idle connections of the JDBC pool now",
                () -> pool.usage().orElseThrow().free());
        gauge(
                "database_pool_max",
                "Largest size of the JDBC pool (max-pool-size)",
                () -> pool.configuration().orElseThrow().maxPoolSize());
        gauge(
                "database_pool_wait_queue",
                "Requests waiting for a pool connection now",
                () -> pool.usage().orElseThrow().waitQueueLength());
        gauge(
                "database_pool_timeouts",
                "Connection requests that timed out waiting for the pool since the server started (cumulative)",
                () -> pool.usage().orElseThrow().timedOut());
        gauge(
                "database_cache_hit_ratio",
                "Share of block reads served from shared_buffers, 0..1",
                () -> latest.vitals().database().cacheHitRatio());
        gauge(
                "database_statement_mean_seconds",
                "Mean statement execution time over the recent window (pg_stat_statements)",
                () -> seconds(latest.vitals().database().meanStatementMillis()));
        gauge(
                "database_blocked_sessions",
                "Sessions waiting for a lock another session holds",
                () -> latest.vitals().database().blockedSessions());
        gauge(
                "database_idle_in_transaction_seconds",
                "How long the oldest session has been idle inside an open transaction",
                () -> latest.vitals().database().oldestIdleInTransactionSeconds());
        gauge(
                "database_xid_age_ratio",
                "Age of the oldest unfrozen transaction id as a share of the wraparound limit, 0..1",
                () -> latest.vitals().database().xidAgePercent() / 100);
        gauge(
                "database_connections_headroom_ratio",
                "Free share of the usable max_connections slots, 0..1",
                () -> latest.vitals().database().headroomPercent() / 100);
        gauge(
                "database_slow_queries",
                "Statements slower than the slow_query threshold in the last hour",
                () -> latest.slowStatements());
    }

    private void gauge(String name, String help, Supplier<? extends Number> value, Tag... tags) {
        Metadata metadata =
                Metadata.builder().withName(name).withDescription(help).build();
        registry.gauge(metadata, () -> number(value), tags);
    }

    private static Double seconds(Double millis) {
        return millis == null ? null : millis / 1000;
    }

    private static Double number(Supplier<? extends Number> value) {
        try {
            Number n = value.get();
            return n == null ? Double.NaN : n.doubleValue();
        } catch (RuntimeException notYet) {
            return Double.NaN;
        }
    }
}
