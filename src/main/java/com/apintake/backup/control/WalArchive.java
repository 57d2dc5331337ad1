package com.apintake.backup.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * The WAL archive that point-in-time recovery replays: how far behind the archiver is (pg_stat_archiver,
 * the recovery point objective in practice), and its clean-up once no kept base backup needs old segments.
 */
public final class WalArchive {

    /**
     * pendingSegments: completed WAL segments not yet archived. lagSeconds: 0 when none wait, else the
     * time since the last successful archive (what a crash now would lose at most); NaN when archiving is off.
     */
    public record Status(
            String archiveMode,
            long archivedCount,
            String lastArchivedWal,
            Instant lastArchivedAt,
            long failedCount,
            String lastFailedWal,
            Instant lastFailedAt,
            String currentWal,
            long pendingSegments,
            double lagSeconds) {}

    static final String ARCHIVER = """
            SELECT current_setting('archive_mode'), a.archived_count, a.last_archived_wal, a.last_archived_time,
                   a.failed_count, a.last_failed_wal, a.last_failed_time,
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END,
                   (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), now(),
                   pg_postmaster_start_time()
            FROM pg_stat_archiver a""";

    private WalArchive() {}

    public static Status status(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(ARCHIVER)) {
            rows.next();
            String mode = rows.getString(1);
            String lastArchived = rows.getString(3);
            Instant lastArchivedAt = instant(rows.getTimestamp(4));
            String current = rows.getString(8);
            long segmentSize = rows.getLong(9);
            Instant now = rows.getTimestamp(10).toInstant();
            long failed = rows.getLong(5);
            long pending = 0;
            double lag = Double.NaN;
            if (!"off".equals(mode) && current != null) {
                if (lastArchived != null && lastArchived.length() >= 24) {
                    pending = Math.max(
                            0, segmentNumber(current, segmentSize) - segmentNumber(lastArchived, segmentSize) - 1);
                    lag = pending == 0 || lastArchivedAt == null
                            ? 0
                            : Duration.between(lastArchivedAt, now).toMillis() / 1000.0;
                } else {
                    // Nothing archived yet: fine while the first segment fills, a growing lag once it fails.
                    Instant since = instant(rows.getTimestamp(11));
                    lag = failed == 0 || since == null
                            ? 0
                            : Duration.between(since, now).toMillis() / 1000.0;
                }
            }
            return new Status(
                    mode,
                    rows.getLong(2),
                    lastArchived,
                    lastArchivedAt,
                    rows.getLong(5),
                    rows.getString(6),
                    instant(rows.getTimestamp(7)),
                    current,
                    pending,
                    lag);
        }
    }

    /** 000000010000000A000000FF: timeline, then the segment number split into "log" and "seg" parts. */
    static long segmentNumber(String walFile, long segmentSize) {
        long log = Long.parseLong(walFile.substring(8, 16), 16);
        long seg = Long.parseLong(walFile.substring(16, 24), 16);
        return log * (0x1_0000_0000L / segmentSize) + seg;
    }

    /**
     * Removes archived segments older than the given one, with PostgreSQL's own pg_archivecleanup; -x
     * .gpg makes it judge encrypted segments (scripts/wal-gpg.sh) by their names too, plain ones as before.
     */
    public static void removeOlderThan(PostgresTools tools, Path archive, String oldestNeeded)
            throws IOException, InterruptedException {
        if (archive == null || !Files.isDirectory(archive)) {
            return;
        }
        try (ToolProcess cleanup = ToolProcess.start(
                List.of(tools.tool("pg_archivecleanup"), "-x", ".gpg", archive.toString(), oldestNeeded),
                java.util.Map.of(),
                null,
                false)) {
            cleanup.stdout().transferTo(java.io.OutputStream.nullOutputStream());
            cleanup.awaitSuccess(Duration.ofMinutes(10));
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
