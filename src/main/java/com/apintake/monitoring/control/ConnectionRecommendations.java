package com.apintake.monitoring.control;

import static com.apintake.monitoring.control.Findings.evidence;
import static com.apintake.monitoring.control.Findings.quote;
import static com.apintake.monitoring.control.Findings.round;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Recommendations of the connections topic: sessions idle in a transaction (idle_in_transaction)
 * and the JDBC pool's size: against PostgreSQL's max_connections, and the cores rule over what the pool
 * and PostgreSQL's sessions were observed doing (PoolDemand, PoolSizeRule). Another
 * connections check plugs in as its own RecommendationTopic bean, or here. The pool-size estimate
 * (Little's law on the pool with square-root headroom, bounded by this server's CPU and PostgreSQL's
 * cores) is explained in PoolSizeRule and docs/pool-sizing.md.
 */
@ApplicationScoped
public class ConnectionRecommendations implements RecommendationTopic {

    /** Sessions idle inside a transaction for longer than the threshold, oldest first. */
    static final String IDLE_IN_TRANSACTION = """
            SELECT pid, coalesce(nullif(application_name, ''), '(none)'), usename,
                   extract(epoch FROM now() - state_change), extract(epoch FROM now() - xact_start), left(query, 200),
                   current_database()
            FROM pg_stat_activity
            WHERE state LIKE 'idle in transaction%' AND datname = current_database()
              AND now() - state_change >= make_interval(secs => ?)
            ORDER BY state_change""";

    @Inject
    PoolStatistics poolStatistics;

    @Inject
    PoolDemand demand;

    @Inject
    @ConfigProperty(name = "apintake.pool.database-cores", defaultValue = "0")
    int databaseCores;

    @Inject
    @ConfigProperty(name = "apintake.pool.cpu-saturation", defaultValue = "0.9")
    double cpuSaturation;

    @Inject
    @ConfigProperty(name = "apintake.pool.headroom", defaultValue = "1.0")
    double headroom;

    @Inject
    @ConfigProperty(name = "apintake.pool.throughput-share", defaultValue = "0.9")
    double throughputShare;

    @Inject
    @ConfigProperty(name = "apintake.pool.shared-host", defaultValue = "false")
    boolean sharedHost;

    @Inject
    Thresholds thresholds;

    private void idleInTransaction(Connection connection, List<Recommendation> found) throws SQLException {
        try (var statement = connection.prepareStatement(IDLE_IN_TRANSACTION)) {
            statement.setDouble(1, limit("idle_in_transaction").warn());
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    double idle = rows.getDouble(4);
                    found.add(new Recommendation(
                            "idle_in_transaction",
                            limit("idle_in_transaction").critical(idle) ? "critical" : "warning",
                            "pid " + rows.getInt(1),
                            evidence(
                                    "pid", rows.getInt(1),
                                    "applicationName", rows.getString(2),
                                    "user", rows.getString(3),
                                    "idleSeconds", round(idle),
                                    "transactionSeconds", round(rows.getDouble(5)),
                                    "lastStatement", rows.getString(6),
                                    "thresholdSeconds",
                                            limit("idle_in_transaction").warn()),
                            "sql",
                            "SELECT pg_terminate_backend(" + rows.getInt(1)
                                    + ");  -- after finding the code path that leaves the transaction open; as a guard: ALTER DATABASE "
                                    + quote(rows.getString(7)) + " SET idle_in_transaction_session_timeout = '5min';"));
                }
            }
        }
    }
    /**
     * Sizing: a max above what PostgreSQL allows is critical; otherwise the cores rule over the observed
     * window (PoolSizeRule, PoolDemand) says more or fewer and why; an idle steady size is trimmed. Reads
     * the connection budget on the caller's connection, so it needs no second one from a busy pool.
     */
    private void poolSize(Connection connection, List<Recommendation> found) throws SQLException {
        var configuration = poolStatistics.configuration();
        var usage = poolStatistics.usage();
        if (configuration.isEmpty() || usage.isEmpty()) {
            return;
        }
        var pool = configuration.get();
        var live = usage.get();
        int maxConnections;
        int reserved;
        int current;
        try (var statement = connection.prepareStatement(ConnectionActivity.BUDGET);
                var rows = statement.executeQuery()) {
            rows.next();
            maxConnections = rows.getInt(1);
            reserved = rows.getInt(2);
            current = rows.getInt(3);
        }
        int usable = maxConnections - reserved;
        long others = Math.max(0, current - live.used() - live.free());
        int budget = (int) Math.max(1, usable - others);
        String name = poolStatistics.poolName();
        String set = "asadmin set resources.jdbc-connection-pool." + name + ".max-pool-size=";
        if (pool.maxPoolSize() > usable) {
            found.add(
                    new Recommendation(
                            "pool_size",
                            "critical",
                            name,
                            evidence(
                                    "maxPoolSize", pool.maxPoolSize(),
                                    "usableConnections", usable,
                                    "otherConnections", others),
                            "asadmin",
                            set + Math.max(1, usable - 5)
                                    + "   # the pool may open more connections than PostgreSQL accepts (max_connections minus reserved slots)"));
            return;
        }
        var observed = demand.observed();
        var advice = PoolSizeRule.advise(
                cores(),
                pool.maxPoolSize(),
                budget,
                observed,
                limit("pool_utilization").warn() / 100.0,
                new PoolSizeRule.Tuning(cpuSaturation, headroom, throughputShare, sharedHost));
        if (advice.isPresent()) {
            var a = advice.get();
            String steady = pool.steadyPoolSize() > a.recommended()
                    ? "asadmin set resources.jdbc-connection-pool." + name + ".steady-pool-size=" + a.recommended()
                            + " && "
                    : "";
            found.add(new Recommendation(
                    "pool_size",
                    a.more() && observed.timedOut() > 0 ? "warning" : "info",
                    name,
                    evidence(
                            "recommendedMaxPoolSize", a.recommended(),
                            "maxPoolSize", pool.maxPoolSize(),
                            "steadyPoolSize", pool.steadyPoolSize(),
                            "cores", a.cores(),
                            "waitingSessions", a.spindles(),
                            "underPressure", a.pressure(),
                            "windowSeconds", observed.seconds(),
                            "samples", observed.samples(),
                            "peakUsed", observed.peakUsed(),
                            "peakWaitQueue", observed.peakWaitQueue(),
                            "timedOut", observed.timedOut(),
                            "meanSessionsOnCpu", round(observed.meanOnCpu()),
                            "meanSessionsWaiting", round(observed.meanWaiting()),
                            "checkoutsPerSecond", round(observed.flow().checkoutsPerSecond()),
                            "meanUsed", round(observed.flow().meanUsed()),
                            "holdMillis", round(observed.flow().holdMillis()),
                            "meanWaitQueue", round(observed.flow().meanWaitQueue()),
                            "waitingShare", round(observed.flow().waitingShare()),
                            "cpuBusy", round(PoolSizeRule.cpuBusy(observed.flow())),
                            "jvmCores", round(observed.flow().jvmCores()),
                            "serverCores", observed.flow().cores(),
                            "meanRunnable", round(observed.flow().meanRunnable()),
                            "cpuStretch", round(observed.flow().cpuStretch()),
                            "meanInFlight", round(observed.flow().meanInFlight()),
                            "meanJvmRunnable", round(observed.flow().meanJvmRunnable()),
                            "meanRequestRunnable", round(observed.flow().meanRequestRunnable()),
                            "meanPoolActive", round(observed.flow().meanPoolActive()),
                            "meanPoolIdleInTransaction", round(observed.flow().meanPoolIdleInTransaction()),
                            "usableConnections", usable,
                            "otherConnections", others,
                            "reason", a.reason()),
                    "asadmin",
                    steady + set + a.recommended() + "   # " + a.reason()));
        } else if (pool.steadyPoolSize() > 2 && live.highWaterMark() * 2 < pool.steadyPoolSize()) {
            found.add(new Recommendation(
                    "pool_size",
                    "info",
                    name,
                    evidence(
                            "steadyPoolSize", pool.steadyPoolSize(),
                            "maxPoolSize", pool.maxPoolSize(),
                            "highWaterMark", live.highWaterMark()),
                    "asadmin",
                    "asadmin set resources.jdbc-connection-pool." + name + ".steady-pool-size="
                            + Math.max(2, live.highWaterMark())
                            + "   # never more than " + live.highWaterMark()
                            + " in use: the idle ones only hold PostgreSQL backends"));
        }
    }

    /** The database server's cores: apintake.pool.database-cores, else this server's (PostgreSQL on the same host). */
    int cores() {
        return databaseCores > 0 ? databaseCores : Runtime.getRuntime().availableProcessors();
    }

    private Thresholds.Limit limit(String name) {
        return thresholds.limit(name);
    }

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        idleInTransaction(connection, found);
        poolSize(connection, found);
    }
}
