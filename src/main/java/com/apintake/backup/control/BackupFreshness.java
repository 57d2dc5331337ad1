package com.apintake.backup.control;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * How recent the last good full backup is, the facts behind the backup gauges. Ages are in seconds;
 * NaN when there is no such backup yet, so an alert on "age too high or absent" fires.
 */
public final class BackupFreshness {

    public record Facts(
            double lastSuccessAgeSeconds,
            double lastVerifiedAgeSeconds,
            double lastDurationSeconds,
            double lastSizeBytes,
            double lastRestoreSeconds) {

        public static final Facts UNKNOWN = new Facts(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    static final String FACTS = """
            WITH usable AS (
                SELECT finished_at, duration_ms, size_bytes FROM backups
                WHERE kind = 'full' AND status IN ('SUCCEEDED', 'VERIFIED') ORDER BY finished_at DESC LIMIT 1),
            verified AS (
                SELECT finished_at FROM backups WHERE kind = 'full' AND status = 'VERIFIED' ORDER BY finished_at DESC LIMIT 1),
            drill AS (
                SELECT restore_ms FROM backups WHERE verified_at IS NOT NULL ORDER BY verified_at DESC LIMIT 1)
            SELECT (SELECT extract(epoch FROM now() - finished_at) FROM usable),
                   (SELECT extract(epoch FROM now() - finished_at) FROM verified),
                   (SELECT duration_ms / 1000.0 FROM usable),
                   (SELECT size_bytes FROM usable),
                   (SELECT restore_ms / 1000.0 FROM drill)""";

    private BackupFreshness() {}

    public static Facts read(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(FACTS)) {
            rows.next();
            return new Facts(value(rows, 1), value(rows, 2), value(rows, 3), value(rows, 4), value(rows, 5));
        }
    }

    private static double value(java.sql.ResultSet rows, int column) throws SQLException {
        double value = rows.getDouble(column);
        return rows.wasNull() ? Double.NaN : value;
    }
}
