package com.apintake.monitoring.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL's side of the connections: pg_stat_activity and the max_connections budget. */
@ApplicationScoped
public class ConnectionActivity {

    /** Sessions of one application in one state; oldestStateSeconds is how long the oldest has been in it. */
    public record Sessions(String applicationName, String state, int count, double oldestStateSeconds) {}

    /**
     * The server's connection budget. usable = max_connections minus the slots reserved for
     * superusers; connections counts every client backend of every database.
     */
    public record Budget(int maxConnections, int reservedConnections, int usable, int connections) {}

    // Client backends only: background workers do not take connection slots from max_connections.
    static final String SESSIONS_BY_APPLICATION = """
            SELECT coalesce(nullif(application_name, ''), '(none)') AS application_name,
                   coalesce(state, 'unknown')                       AS state,
                   count(*)                                         AS sessions,
                   greatest(coalesce(extract(epoch FROM max(now() - state_change)), 0), 0) AS oldest_state_seconds
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND datname = current_database()
            GROUP BY 1, 2
            ORDER BY 1, 2""";

    static final String BUDGET = """
            SELECT current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int""";

    @Inject
    MonitoringConnections dataSource;

    /** Sessions and budget read on one pooled connection: a live look costs one checkout, not two. */
    public record Now(List<Sessions> sessions, Budget budget) {}

    public Now now() {
        try (Connection connection = dataSource.getConnection()) {
            return new Now(sessionsByApplication(connection), budget(connection));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading pg_stat_activity failed", e);
        }
    }

    public List<Sessions> sessionsByApplication() {
        try (Connection connection = dataSource.getConnection()) {
            return sessionsByApplication(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading pg_stat_activity failed", e);
        }
    }

    public Budget budget() {
        try (Connection connection = dataSource.getConnection()) {
            return budget(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the connection budget failed", e);
        }
    }

    private static List<Sessions> sessionsByApplication(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(SESSIONS_BY_APPLICATION);
                var rows = statement.executeQuery()) {
            List<Sessions> result = new ArrayList<>();
            while (rows.next()) {
                result.add(new Sessions(rows.getString(1), rows.getString(2), rows.getInt(3), rows.getDouble(4)));
            }
            return result;
        }
    }

    private static Budget budget(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(BUDGET);
                var rows = statement.executeQuery()) {
            rows.next();
            int max = rows.getInt(1);
            int reserved = rows.getInt(2);
            return new Budget(max, reserved, max - reserved, rows.getInt(3));
        }
    }
}
