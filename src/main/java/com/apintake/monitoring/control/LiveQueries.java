package com.apintake.monitoring.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.platform.control.Refused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What runs in this database now (PgHero's "live queries"), and the two ways to stop a statement:
 * cancel (pg_cancel_backend: the statement fails, the session stays) and terminate
 * (pg_terminate_backend: the session ends, its transaction rolls back). Both are audited, and both are
 * refused for PostgreSQL's own processes (autovacuum, checkpointer, WAL senders of replication...),
 * for sessions of other databases and for the very session that would carry out the request.
 */
@ApplicationScoped
public class LiveQueries {

    /** One session that is not idle. blockedBy: the pids holding the locks it waits for (pg_blocking_pids). */
    public record LiveQuery(
            int pid,
            String application,
            String user,
            String state,
            String backendType,
            OffsetDateTime startedAt,
            Double durationSeconds,
            String waitEventType,
            String waitEvent,
            String query,
            List<Integer> blockedBy) {}

    /** What cancel or terminate did: signalled is PostgreSQL's answer (false: the process was gone by then). */
    public record Signalled(int pid, String action, boolean signalled, String application, String user) {}

    /** Non-idle sessions of this database, longest running first; our own monitoring session left out. */
    static final String LIVE = """
            SELECT pid, coalesce(nullif(application_name, ''), '(none)'), usename, state, backend_type,
                   coalesce(query_start, xact_start),
                   extract(epoch FROM now() - coalesce(query_start, xact_start)),
                   wait_event_type, wait_event, left(query, 4000), pg_blocking_pids(pid)
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND state IS DISTINCT FROM 'idle'
            ORDER BY coalesce(query_start, xact_start) NULLS LAST""";

    /** The target, looked up in the whole server so that background processes are refused by name. */
    static final String TARGET = """
            SELECT backend_type, datname = current_database(), pid = pg_backend_pid(),
                   coalesce(nullif(application_name, ''), '(none)'), usename, state
            FROM pg_stat_activity
            WHERE pid = ?""";

    @Inject
    MonitoringConnections dataSource;

    @Inject
    AuditTrail audit;

    public List<LiveQuery> list() {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(LIVE);
                var rows = statement.executeQuery()) {
            List<LiveQuery> live = new ArrayList<>();
            while (rows.next()) {
                double duration = rows.getDouble(7);
                Double seconds = rows.wasNull() ? null : Math.round(duration * 1000) / 1000.0;
                live.add(new LiveQuery(
                        rows.getInt(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getString(5),
                        rows.getObject(6, OffsetDateTime.class),
                        seconds,
                        rows.getString(8),
                        rows.getString(9),
                        rows.getString(10),
                        pids(rows.getArray(11))));
            }
            return live;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public Signalled cancel(int pid) {
        return signal(pid, "cancel", "SELECT pg_cancel_backend(?)");
    }

    public Signalled terminate(int pid) {
        return signal(pid, "terminate", "SELECT pg_terminate_backend(?)");
    }

    private Signalled signal(int pid, String action, String sql) {
        String application;
        String user;
        boolean signalled;
        try (Connection connection = dataSource.getConnection()) {
            try (var statement = connection.prepareStatement(TARGET)) {
                statement.setInt(1, pid);
                try (var rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new Refused(Refused.Reason.NOT_FOUND, "No PostgreSQL process has pid " + pid);
                    }
                    String backendType = rows.getString(1);
                    if (!"client backend".equals(backendType)) {
                        throw new Refused(
                                Refused.Reason.CONFLICT,
                                "pid " + pid + " is PostgreSQL's own " + backendType
                                        + " process; it is never cancelled or terminated from here");
                    }
                    if (!rows.getBoolean(2)) {
                        throw new Refused(Refused.Reason.CONFLICT, "pid " + pid + " is a session of another database");
                    }
                    if (rows.getBoolean(3)) {
                        throw new Refused(
                                Refused.Reason.CONFLICT, "pid " + pid + " is the session answering this request");
                    }
                    application = rows.getString(4);
                    user = rows.getString(5);
                }
            }
            try (var statement = connection.prepareStatement(sql)) {
                statement.setInt(1, pid);
                try (var rows = statement.executeQuery()) {
                    rows.next();
                    signalled = rows.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new Refused(
                        Refused.Reason.CONFLICT,
                        "The database user of the pool may not signal pid " + pid
                                + " (grant it pg_signal_backend, or act as the session's owner)");
            }
            throw unavailable(e);
        }
        audit.record(
                "database." + action,
                "pid " + pid,
                String.format(Locale.ROOT, "application=%s user=%s signalled=%s", application, user, signalled));
        return new Signalled(pid, action, signalled, application, user);
    }

    private static List<Integer> pids(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        return Arrays.stream(values).map(v -> ((Number) v).intValue()).toList();
    }

    static Refused unavailable(SQLException e) {
        return new Refused(
                Refused.Reason.UNAVAILABLE,
                "The database could not be reached, or no pooled connection was free within the pool's wait time; retry later.");
    }
}
