package com.apintake.platform.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
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

    public Connection connection() throws SQLException {
        if (replica.current().replica()) {
            try {
                Connection connection = read.getConnection();
                record(ReplicaState.State.REPLICA);
                return connection;
            } catch (SQLException e) {
                replica.failed(e);
            }
        }
        Connection connection = primary.getConnection();
        record(ReplicaState.State.PRIMARY);
        return connection;
    }

    private void record(String source) {
        try {
            used.source(source);
        } catch (ContextNotActiveException outsideARequest) {
            // a timer or startup read: no response to label
        }
    }
}
