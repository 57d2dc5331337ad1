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

/**
 * Recommendations of the connections topic: sessions idle in a transaction (idle_in_transaction)
 * and the JDBC pool's size against its own waits and PostgreSQL's max_connections. Another
 * connections check plugs in as its own RecommendationTopic bean, or here.
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
    ConnectionOverview connections;

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
    /** Sizing from the pool's own numbers: waits and timeouts mean too small; a max above what PostgreSQL allows means too large. */
    private void poolSize(List<Recommendation> found) {
        var overview = connections.current();
        var pool = overview.pool();
        var database = overview.database();
        if (!pool.monitored() || database == null) {
            return;
        }
        String set = "asadmin set resources.jdbc-connection-pool." + pool.name() + ".max-pool-size=";
        int usable = database.usableConnections();
        var evidence = evidence(
                "steadyPoolSize", pool.steadyPoolSize(),
                "maxPoolSize", pool.maxPoolSize(),
                "highWaterMark", pool.highWaterMark(),
                "timedOut", pool.timedOut(),
                "waitQueueLength", pool.waitQueueLength(),
                "averageWaitMillis", pool.averageWaitMillis(),
                "usableConnections", usable,
                "otherConnections", Math.max(0, database.currentConnections() - pool.used() - pool.free()));
        if (pool.maxPoolSize() > usable) {
            found.add(
                    new Recommendation(
                            "pool_size",
                            "critical",
                            pool.name(),
                            evidence,
                            "asadmin",
                            set + Math.max(1, usable - 5)
                                    + "   # the pool may open more connections than PostgreSQL accepts (max_connections minus reserved slots)"));
        } else if (pool.timedOut() > 0 || pool.waitQueueLength() > 0 || pool.highWaterMark() >= pool.maxPoolSize()) {
            int suggested = (int) Math.min(usable, Math.ceil(pool.maxPoolSize() * 1.5));
            if (suggested > pool.maxPoolSize()) {
                found.add(
                        new Recommendation(
                                "pool_size",
                                pool.timedOut() > 0 ? "warning" : "info",
                                pool.name(),
                                evidence,
                                "asadmin",
                                set + suggested
                                        + "   # requests waited or timed out for a connection; first check for slow statements and leaks, which a bigger pool only hides"));
            }
        } else if (pool.steadyPoolSize() > 2 && pool.highWaterMark() * 2 < pool.steadyPoolSize()) {
            found.add(new Recommendation(
                    "pool_size",
                    "info",
                    pool.name(),
                    evidence,
                    "asadmin",
                    "asadmin set resources.jdbc-connection-pool." + pool.name() + ".steady-pool-size="
                            + Math.max(2, pool.highWaterMark())
                            + "   # never more than " + pool.highWaterMark()
                            + " in use: the idle ones only hold PostgreSQL backends"));
        }
    }

    private Thresholds.Limit limit(String name) {
        return thresholds.limit(name);
    }

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        idleInTransaction(connection, found);
        poolSize(found);
    }
}
