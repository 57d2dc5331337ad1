package com.apintake.monitoring.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The monitoring's connections: the API's pool (jdbc/apintake), with a short lock wait for the
 * monitoring's own rounds (the loop, the snapshots, the pool and connection samplers). A
 * table under an ACCESS EXCLUSIVE lock (a migration, VACUUM FULL, REINDEX, an operator's LOCK TABLE)
 * would otherwise keep a monitoring statement such as pg_total_relation_size waiting for up to the
 * statement timeout, holding a pool connection the API needs exactly then. Each connection handed out
 * here during a {@link #round} runs under lock_timeout = apintake.monitoring.lock-timeout-ms until it
 * is closed, when the pool's own value is put back (not the application_name: PoolDemand counts the
 * pool's connections by it); a statement that waited that long fails with SQLState 55P03 and the
 * figure it was for is skipped ({@link #skipped}): the last one stays, marked stale.
 */
@ApplicationScoped
public class MonitoringConnections {

    private static final Logger LOG = Logger.getLogger(MonitoringConnections.class.getName());

    /** PostgreSQL's lock_not_available: lock_timeout expired (also NOWAIT). */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    /** 0: no limit of our own (the pool's lock_timeout, normally none, and the statement timeout apply). */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.lock-timeout-ms", defaultValue = "1000")
    long lockTimeoutMillis;

    /** The pool's lock_timeout, then ours (unchanged when 0, given as NULL). */
    static final String SET = """
            SELECT current_setting('lock_timeout'),
                   set_config('lock_timeout', coalesce(?, current_setting('lock_timeout')), false)""";

    static final String RESTORE = "SELECT set_config('lock_timeout', ?, false)";

    /** Set on the thread of one of the monitoring's own rounds ({@link #round}). */
    private static final ThreadLocal<Boolean> IN_ROUND = ThreadLocal.withInitial(() -> false);

    /** Figure -> since when it is skipped because of a lock; present only while it is. */
    private final Map<String, Instant> staleSince = new ConcurrentHashMap<>();

    /**
     * Runs one round of the monitoring's own work (its timers and the snapshot observer call this): the
     * connections it takes from here get the lock timeout. Requests to the monitoring endpoints do not:
     * an operator who asks waits as before (statement timeout), and Payara's slow-SQL log still sees them.
     */
    public void round(Runnable work) {
        if (IN_ROUND.get()) {
            work.run();
            return;
        }
        IN_ROUND.set(true);
        try {
            work.run();
        } finally {
            IN_ROUND.remove();
        }
    }

    /**
     * A pool connection; within a {@link #round} under the monitoring's lock_timeout, which closing it
     * restores to the pool's value.
     */
    public Connection getConnection() throws SQLException {
        Connection connection = dataSource.getConnection();
        if (!IN_ROUND.get() || lockTimeoutMillis <= 0) {
            // outside a round, or the timeout off (0): the pool's own lock_timeout, no round trip to keep it
            return connection;
        }
        String previous;
        try (var set = connection.prepareStatement(SET)) {
            set.setString(1, lockTimeoutMillis + "ms");
            try (var rows = set.executeQuery()) {
                rows.next();
                previous = rows.getString(1);
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return restoringOnClose(connection, previous);
    }

    /** True when the statement gave up waiting for a lock (lock_timeout). */
    public static boolean lockTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A figure not measured because a table was locked: logged once when it starts being skipped (not on
     * every round), its last value kept by the caller and reported stale by {@link #stale} until it is
     * measured again ({@link #measured}).
     */
    public void skipped(String figure, Throwable e) {
        if (staleSince.putIfAbsent(figure, Instant.now()) == null) {
            LOG.info(() -> "Monitoring: " + figure + " not measured, a table is locked (lock_timeout "
                    + lockTimeoutMillis + " ms); the last figure stays until the lock is gone: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    public void measured(String figure) {
        if (staleSince.remove(figure) != null) {
            LOG.info(() -> "Monitoring: " + figure + " measured again");
        }
    }

    /** The figures skipped because of a lock, and since when (empty when all are current). */
    public Map<String, Instant> stale() {
        return Map.copyOf(staleSince);
    }

    private static Connection restoringOnClose(Connection connection, String previous) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        restore(connection, previous);
                        connection.close();
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Puts the pool's lock_timeout back before the connection returns to the pool, so the API's statements
     * never run under ours. Inside a transaction that failed the reset fails too, but then the rollback
     * undoes our set_config with the rest.
     */
    private static void restore(Connection connection, String previous) {
        try (var reset = connection.prepareStatement(RESTORE)) {
            reset.setString(1, previous);
            reset.execute();
        } catch (SQLException e) {
            LOG.fine(() -> "Monitoring: lock_timeout not restored on close (" + e.getSQLState() + ")");
        }
    }
}
