package com.apintake.platform.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How far a read server is behind the primary, measured on both: the primary's current WAL position,
 * then on the read server how many bytes of it are not replayed yet and how old the last replayed
 * transaction is. A read server that is not in recovery is the primary itself (the read pool's
 * default), which is not a replica at all.
 */
public final class ReplicationLag {

    /** standby false: the read pool reached a primary. bytes and seconds are 0 when nothing waits for replay. */
    public record Measurement(boolean standby, long bytes, double seconds) {}

    static final String PRIMARY_POSITION = "SELECT pg_current_wal_lsn()::text";

    /**
     * Seconds come from pg_last_xact_replay_timestamp, which stops moving while the primary is idle; they
     * count only while bytes wait for replay, so an idle pair reads 0 instead of a growing age.
     */
    static final String STANDBY_POSITION = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(?::pg_lsn, pg_last_wal_replay_lsn()) END,
                   CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END""";

    private ReplicationLag() {}

    /** Opens a connection to the primary; asked only when the read server is a standby. */
    public interface Primary {
        Connection connect() throws SQLException;
    }

    /**
     * Asks the read server first: when it is the primary itself (no replica), the primary's pool is not
     * touched, so a busy primary pool never slows this check down.
     */
    public static Measurement measure(Connection read, Primary primary) throws SQLException {
        try (PreparedStatement statement = read.prepareStatement("SELECT pg_is_in_recovery()");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            if (!rows.getBoolean(1)) {
                return new Measurement(false, 0, 0);
            }
        }
        String position;
        try (Connection connection = primary.connect();
                PreparedStatement statement = connection.prepareStatement(PRIMARY_POSITION);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            position = rows.getString(1);
        }
        try (PreparedStatement statement = read.prepareStatement(STANDBY_POSITION)) {
            statement.setString(1, position);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                if (!rows.getBoolean(1)) {
                    return new Measurement(false, 0, 0);
                }
                long bytes = Math.max(0, rows.getBigDecimal(2).longValue());
                double age = rows.getObject(3) == null ? Double.NaN : rows.getDouble(3);
                return new Measurement(true, bytes, bytes == 0 ? 0 : Math.max(0, age));
            }
        }
    }
}
