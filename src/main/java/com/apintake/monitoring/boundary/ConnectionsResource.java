package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.ConnectionActivity;
import com.apintake.monitoring.control.PoolStatistics;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** GET /api/v1/database/connections: the container pool live, next to what PostgreSQL sees. */
@Path("database/connections")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class ConnectionsResource {

    /** The pool as the running server reports it; utilization = used / maxPoolSize, 0..1. */
    public record Pool(
            String name,
            boolean monitored,
            int steadyPoolSize,
            int maxPoolSize,
            long maxWaitMillis,
            long idleTimeoutSeconds,
            boolean validation,
            long used,
            long free,
            long highWaterMark,
            long waitQueueLength,
            long averageWaitMillis,
            long maxWaitObservedMillis,
            long created,
            long destroyed,
            long timedOut,
            long potentialLeaks,
            long failedValidations,
            double utilization) {}

    /** poolFits: the pool's max size fits in max_connections minus the superuser-reserved slots. */
    public record Database(
            int maxConnections,
            int reservedConnections,
            int usableConnections,
            int currentConnections,
            int headroom,
            boolean poolFits,
            List<ConnectionActivity.Sessions> byApplication) {}

    public record Connections(Pool pool, Database database) {}

    @Inject
    PoolStatistics poolStatistics;

    @Inject
    ConnectionActivity activity;

    @GET
    public Connections connections() {
        // Querying first also makes sure the pool has been used, so its monitoring MBean exists.
        var sessions = activity.sessionsByApplication();
        var budget = activity.budget();
        var configuration = poolStatistics.configuration().orElse(new PoolStatistics.Configuration(0, 0, 0, 0, false));
        var usage = poolStatistics.usage();
        var live = usage.orElse(new PoolStatistics.Usage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        double utilization = configuration.maxPoolSize() == 0 ? 0 : (double) live.used() / configuration.maxPoolSize();
        var pool = new Pool(
                poolStatistics.poolName(),
                usage.isPresent(),
                configuration.steadyPoolSize(),
                configuration.maxPoolSize(),
                configuration.maxWaitMillis(),
                configuration.idleTimeoutSeconds(),
                configuration.validation(),
                live.used(),
                live.free(),
                live.highWaterMark(),
                live.waitQueueLength(),
                live.averageWaitMillis(),
                live.maxWaitMillis(),
                live.created(),
                live.destroyed(),
                live.timedOut(),
                live.potentialLeaks(),
                live.failedValidations(),
                utilization);
        var database = new Database(
                budget.maxConnections(),
                budget.reservedConnections(),
                budget.usable(),
                budget.connections(),
                budget.usable() - budget.connections(),
                configuration.maxPoolSize() <= budget.usable(),
                sessions);
        return new Connections(pool, database);
    }
}
