package com.apintake.monitoring.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The container pool live, next to what PostgreSQL sees. The pool part comes from Payara's
 * monitoring and needs no connection, so it still answers while the pool is exhausted; the
 * PostgreSQL part is then missing and databaseError says why.
 */
@ApplicationScoped
public class ConnectionOverview {

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
            long acquired,
            long released,
            long created,
            long destroyed,
            long timedOut,
            long potentialLeaks,
            long failedValidations,
            double utilization) {}

    /** Sessions idle inside an open transaction: they hold locks and snapshots, and block vacuum. */
    public record IdleInTransaction(int count, double oldestSeconds) {}

    /** poolFits: the pool's max size fits in max_connections minus the superuser-reserved slots. */
    public record Database(
            int maxConnections,
            int reservedConnections,
            int usableConnections,
            int currentConnections,
            int headroom,
            boolean poolFits,
            IdleInTransaction idleInTransaction,
            List<ConnectionActivity.Sessions> byApplication) {}

    public record Connections(Pool pool, Database database, String databaseError) {}

    @Inject
    PoolStatistics poolStatistics;

    @Inject
    ConnectionActivity activity;

    public Connections current() {
        List<ConnectionActivity.Sessions> sessions = null;
        ConnectionActivity.Budget budget = null;
        String error = null;
        try {
            // Querying first also makes sure the pool has been used, so its monitoring MBean exists.
            var now = activity.now();
            sessions = now.sessions();
            budget = now.budget();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            error = cause.getClass().getSimpleName() + ": "
                    + String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        }
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
                live.acquired(),
                live.released(),
                live.created(),
                live.destroyed(),
                live.timedOut(),
                live.potentialLeaks(),
                live.failedValidations(),
                utilization);
        if (budget == null) {
            return new Connections(pool, null, error);
        }
        var idle = sessions.stream()
                .filter(s -> s.state().startsWith("idle in transaction"))
                .toList();
        var idleInTransaction = new IdleInTransaction(
                idle.stream().mapToInt(ConnectionActivity.Sessions::count).sum(),
                idle.stream()
                        .mapToDouble(ConnectionActivity.Sessions::oldestStateSeconds)
                        .max()
                        .orElse(0));
        var database = new Database(
                budget.maxConnections(),
                budget.reservedConnections(),
                budget.usable(),
                budget.connections(),
                budget.usable() - budget.connections(),
                configuration.maxPoolSize() <= budget.usable(),
                idleInTransaction,
                sessions);
        return new Connections(pool, database, null);
    }
}
