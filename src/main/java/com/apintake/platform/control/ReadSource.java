package com.apintake.platform.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Connections for reads that may be a little behind (analytics, reports, the read-only lists): from the
 * replica's pool (jdbc/apintake-read) while {@link ReplicaState} allows it, else from the primary. Writes,
 * and reads that must see a write just made, take jdbc/apintake directly. The source used is recorded for
 * the request, and the response says it in X-Read-Source.
 */
@ApplicationScoped
public class ReadSource {

    @Resource(lookup = "jdbc/apintake")
    DataSource primary;

    @Resource(lookup = "jdbc/apintake-read")
    DataSource read;

    @Inject
    ReplicaState replica;

    @Inject
    ReadSourceUsed used;

    @Inject
    ReadAfter after;

    /** A read on one connection; the connection is ReadSource's to close. */
    @FunctionalInterface
    public interface Read<T> {
        T on(Connection connection) throws SQLException;
    }

    public Connection connection() throws SQLException {
        Connection replicaConnection = replicaConnection();
        return replicaConnection != null ? replicaConnection : primaryConnection();
    }

    /**
     * A connection to the replica while it is in sync and has replayed the client's own last write (when the
     * request names one, {@link ReadAfter}), else null.
     */
    private Connection replicaConnection() {
        if (replica.current().replica()) {
            Connection connection;
            try {
                connection = read.getConnection();
            } catch (SQLException e) {
                replica.failed(e);
                return null;
            }
            try {
                String position = mustSee();
                if (position != null && !replayed(connection, position)) {
                    connection.close();
                    return null;
                }
                record(ReplicaState.State.REPLICA);
                return connection;
            } catch (SQLException e) {
                replica.failed(e);
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                return null;
            }
        }
        return null;
    }

    /** Whether the replica has replayed the WAL up to position; false on a server that is no standby. */
    static boolean replayed(Connection connection, String position) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
            statement.setString(1, position);
            try (var rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    /**
     * Where the primary's WAL ends now, for a client that has just written (read-your-writes), or empty
     * when no replica is configured (the read pool reaches the primary: every read sees every write). The
     * insert position, not the write position: with synchronous_commit off a commit may not be written yet.
     */
    public Optional<String> writePosition() throws SQLException {
        if (!replica.current().replicaConfigured()) {
            return Optional.empty();
        }
        try (Connection connection = primary.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rows.next();
            return Optional.of(rows.getString(1));
        }
    }

    private String mustSee() {
        try {
            return after.lsn();
        } catch (ContextNotActiveException outsideARequest) {
            return null;
        }
    }

    /**
     * Runs a read on the chosen source in a read-only transaction of its own on that one connection, so a
     * caller outside any JTA transaction ({@code @Transactional(NOT_SUPPORTED)}) holds no primary
     * connection or transaction while it reads the replica, and transaction-local settings (the caller's
     * row-level-security scope) still hold for the whole read. A connection the container has already
     * enlisted in a transaction (auto-commit off) is used as it is.
     */
    public <T> T read(Read<T> work) throws SQLException {
        try (Connection connection = connection()) {
            return inReadOnlyTransaction(connection, work);
        }
    }

    /**
     * As {@link #read}, for a lookup by key: a row written a moment ago may not have reached the replica
     * yet, so a miss there is asked again on the primary before it counts as "not found".
     */
    public <T> Optional<T> find(Read<Optional<T>> work) throws SQLException {
        Connection replicaConnection = replicaConnection();
        if (replicaConnection != null) {
            try (replicaConnection) {
                Optional<T> found = inReadOnlyTransaction(replicaConnection, work);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        try (Connection connection = primaryConnection()) {
            return inReadOnlyTransaction(connection, work);
        }
    }

    private Connection primaryConnection() throws SQLException {
        Connection connection = primary.getConnection();
        record(ReplicaState.State.PRIMARY);
        return connection;
    }

    private static <T> T inReadOnlyTransaction(Connection connection, Read<T> work) throws SQLException {
        if (!connection.getAutoCommit()) {
            return work.on(connection);
        }
        connection.setAutoCommit(false);
        try {
            try (var statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION READ ONLY");
            }
            T result = work.on(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private void record(String source) {
        try {
            used.source(source);
        } catch (ContextNotActiveException outsideARequest) {
            // a timer or startup read: no response to label
        }
    }
}
