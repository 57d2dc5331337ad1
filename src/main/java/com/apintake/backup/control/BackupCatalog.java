package com.apintake.backup.control;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import com.apintake.backup.entity.TableCount;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The backups table: one row per attempt, each status change one short statement on a pooled connection. */
public final class BackupCatalog {

    /** What a finished backup adds to its row. */
    public record Outcome(
            Instant finishedAt,
            long durationMillis,
            long sizeBytes,
            String serverVersion,
            String toolVersion,
            List<BackupFile> files,
            List<TableCount> tables,
            String walStart) {}

    static final String COLUMNS = """
            id, kind, status, triggered_by, directory, encrypted, started_at, finished_at, duration_ms, size_bytes,
            database_name, server_version, tool_version, files::text, tables::text, wal_start, failure_reason,
            verified_at, restore_ms, verify_failure""";

    private final DataSource dataSource;

    public BackupCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Backup insertRunning(BackupKind kind, String triggeredBy, boolean encrypted, String database)
            throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var insert =
                        connection.prepareStatement("INSERT INTO backups (kind, triggered_by, encrypted, database_name)"
                                + " VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)) {
            insert.setString(1, kind.label());
            insert.setString(2, triggeredBy);
            insert.setBoolean(3, encrypted);
            insert.setString(4, database);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return backup(rows);
            }
        }
    }

    public void directory(long id, String directory) throws SQLException {
        update("UPDATE backups SET directory = ? WHERE id = ?", directory, id);
    }

    public Backup succeed(long id, Outcome outcome) throws SQLException {
        update(
                "UPDATE backups SET status = 'SUCCEEDED', finished_at = ?, duration_ms = ?, size_bytes = ?, server_version = ?,"
                        + " tool_version = ?, files = ?::jsonb, tables = ?::jsonb, wal_start = ? WHERE id = ? AND status = 'RUNNING'",
                Timestamp.from(outcome.finishedAt()),
                outcome.durationMillis(),
                outcome.sizeBytes(),
                outcome.serverVersion(),
                outcome.toolVersion(),
                ManifestFile.files(outcome.files()).toString(),
                ManifestFile.tables(outcome.tables()).toString(),
                outcome.walStart(),
                id);
        return find(id).orElseThrow();
    }

    /** FAILED with its reason; the files were removed, so the row keeps no directory and no file list. */
    public void fail(long id, String reason, Instant finishedAt, long durationMillis) throws SQLException {
        update(
                "UPDATE backups SET status = 'FAILED', failure_reason = ?, finished_at = ?, duration_ms = ?, directory = NULL,"
                        + " files = '[]'::jsonb, size_bytes = NULL WHERE id = ?",
                abbreviate(reason),
                Timestamp.from(finishedAt),
                durationMillis,
                id);
    }

    public Backup verified(long id, Instant verifiedAt, long restoreMillis) throws SQLException {
        update(
                "UPDATE backups SET status = 'VERIFIED', verified_at = ?, restore_ms = ?, verify_failure = NULL WHERE id = ?",
                Timestamp.from(verifiedAt),
                restoreMillis,
                id);
        return find(id).orElseThrow();
    }

    /** A failed drill leaves the backup SUCCEEDED (its files passed the cheap check) but records why it did not restore. */
    public Backup verifyFailed(long id, String reason) throws SQLException {
        update("UPDATE backups SET verify_failure = ? WHERE id = ?", abbreviate(reason), id);
        return find(id).orElseThrow();
    }

    public Optional<Backup> find(long id) throws SQLException {
        List<Backup> found = query("SELECT " + COLUMNS + " FROM backups WHERE id = ?", id);
        return found.stream().findFirst();
    }

    static final String LIST = "SELECT " + COLUMNS + " FROM backups WHERE (?::text IS NULL OR kind = ?)"
            + " AND (NOT ? OR status IN ('SUCCEEDED', 'VERIFIED')) ORDER BY started_at DESC, id DESC LIMIT ?";

    /** Newest first; kind and usableOnly narrow it. */
    public List<Backup> list(BackupKind kind, boolean usableOnly, int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return list(connection, kind, usableOnly, limit);
        }
    }

    /** As {@link #list(BackupKind, boolean, int)}, on a connection the caller chose (the list page's: ReadSource). */
    public static List<Backup> list(Connection connection, BackupKind kind, boolean usableOnly, int limit)
            throws SQLException {
        String label = kind == null ? null : kind.label();
        try (var statement = prepare(connection, LIST, label, label, usableOnly, limit);
                ResultSet rows = statement.executeQuery()) {
            List<Backup> backups = new ArrayList<>();
            while (rows.next()) {
                backups.add(backup(rows));
            }
            return backups;
        }
    }

    public List<Backup> all() throws SQLException {
        return query("SELECT " + COLUMNS + " FROM backups ORDER BY started_at DESC, id DESC");
    }

    public List<Backup> withStatus(BackupStatus status) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM backups WHERE status = ? ORDER BY id", status.name());
    }

    public void delete(long id) throws SQLException {
        update("DELETE FROM backups WHERE id = ?", id);
    }

    private List<Backup> query(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var statement = prepare(connection, sql, parameters);
                ResultSet rows = statement.executeQuery()) {
            List<Backup> backups = new ArrayList<>();
            while (rows.next()) {
                backups.add(backup(rows));
            }
            return backups;
        }
    }

    private void update(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var statement = prepare(connection, sql, parameters)) {
            statement.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else {
                statement.setObject(i + 1, value);
            }
        }
        return statement;
    }

    private static Backup backup(ResultSet rows) throws SQLException {
        return new Backup(
                rows.getLong("id"),
                BackupKind.parse(rows.getString("kind")),
                BackupStatus.valueOf(rows.getString("status")),
                rows.getString("triggered_by"),
                rows.getString("directory"),
                rows.getBoolean("encrypted"),
                instant(rows.getTimestamp("started_at")),
                instant(rows.getTimestamp("finished_at")),
                (Long) rows.getObject("duration_ms"),
                (Long) rows.getObject("size_bytes"),
                rows.getString("database_name"),
                rows.getString("server_version"),
                rows.getString("tool_version"),
                ManifestFile.parseFiles(rows.getString("files")),
                ManifestFile.parseTables(rows.getString("tables")),
                rows.getString("wal_start"),
                rows.getString("failure_reason"),
                instant(rows.getTimestamp("verified_at")),
                (Long) rows.getObject("restore_ms"),
                rows.getString("verify_failure"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    static String abbreviate(String reason) {
        String text = reason == null || reason.isBlank() ? "unknown error" : reason.strip();
        return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
    }
}
