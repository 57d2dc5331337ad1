package com.apintake.platform.boundary;

import com.apintake.monitoring.control.PoolStatistics;
import com.apintake.platform.control.Migrations;
import com.apintake.platform.control.ReplicaState;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/** The probes Kubernetes (or any load balancer) reads at /health/live, /health/ready and /health/started. */
public final class HealthChecks {

    private HealthChecks() {}

    /** The process answers. Never depends on the database: a database outage must not restart the pod. */
    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.up("ap-intake");
        }
    }

    /** Start-up is over when the schema has been applied once. */
    @Startup
    @ApplicationScoped
    public static class SchemaApplied implements HealthCheck {
        @Inject
        Migrations migrations;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("schema")
                    .status(migrations.done())
                    .withData("migrations", migrations.state().name())
                    .build();
        }
    }

    /**
     * Ready to take traffic: the schema is in place and a connection from the pool answers. DOWN when
     * the database is down or no connection can be had within the pool's wait time. A busy pool is
     * not a reason to take the instance out of rotation; only when no connection can be had at all
     * (every connection in use and the wait timed out) does it report poolExhausted and go DOWN.
     */
    @Readiness
    @ApplicationScoped
    public static class DatabaseReady implements HealthCheck {
        @Inject
        Migrations migrations;

        @Resource(lookup = "jdbc/apintake")
        DataSource dataSource;

        @Inject
        @ConfigProperty(name = "apintake.health.db-timeout-seconds", defaultValue = "3")
        int timeoutSeconds;

        @Inject
        PoolStatistics pool;

        @Inject
        ReplicaState replica;

        @Override
        public HealthCheckResponse call() {
            var response = HealthCheckResponse.named("database")
                    .withData("migrations", migrations.state().name());
            if (migrations.lastError() != null) {
                response.withData("migrationError", migrations.lastError());
            }
            String problem = null;
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid(timeoutSeconds)) {
                    problem = "connection did not answer within " + timeoutSeconds + " s";
                }
            } catch (SQLException | RuntimeException e) {
                problem = e.getClass().getSimpleName() + ": "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            }
            response.withData("reachable", problem == null);
            if (problem != null) {
                response.withData("error", problem);
            }
            var configuration = pool.configuration();
            var usage = pool.usage();
            if (configuration.isPresent() && usage.isPresent()) {
                long used = usage.get().used();
                int max = configuration.get().maxPoolSize();
                response.withData("poolUsed", used)
                        .withData("poolMax", max)
                        .withData("poolWaiting", usage.get().waitQueueLength())
                        .withData("poolExhausted", problem != null && used >= max);
            }
            // Where reads go; a lagging or lost replica never takes the instance out of rotation (reads fall back).
            ReplicaState.State reads = replica.current();
            response.withData("readSource", reads.source()).withData("readSourceReason", reads.reason());
            if (reads.replicaConfigured() && !Double.isNaN(reads.lagSeconds())) {
                response.withData("replicaLagSeconds", String.format(java.util.Locale.ROOT, "%.3f", reads.lagSeconds()))
                        .withData("replicaLagBytes", (long) reads.lagBytes());
            }
            return response.status(problem == null && migrations.done()).build();
        }
    }
}
