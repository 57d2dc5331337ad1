package com.apintake.backup.entity;

import java.time.Instant;
import java.util.List;

/**
 * A backup as the backups table and its manifest.json record it. A restore reads this to know what
 * the files are, that they are intact (sha256), what the database held (tables), which server and
 * pg_dump made them, and whether anyone ever restored them (VERIFIED, restoreMillis = measured RTO).
 */
public record Backup(
        long id,
        BackupKind kind,
        BackupStatus status,
        String triggeredBy,
        String directory,
        boolean encrypted,
        Instant startedAt,
        Instant finishedAt,
        Long durationMillis,
        Long sizeBytes,
        String database,
        String serverVersion,
        String toolVersion,
        List<BackupFile> files,
        List<TableCount> tables,
        String walStart,
        String failureReason,
        Instant verifiedAt,
        Long restoreMillis,
        String verifyFailure) {

    public boolean usable() {
        return status.usable();
    }

    /** The folder its files are written to, once it exists. */
    public Backup locatedIn(String folder) {
        return new Backup(
                id,
                kind,
                status,
                triggeredBy,
                folder,
                encrypted,
                startedAt,
                finishedAt,
                durationMillis,
                sizeBytes,
                database,
                serverVersion,
                toolVersion,
                files,
                tables,
                walStart,
                failureReason,
                verifiedAt,
                restoreMillis,
                verifyFailure);
    }

    /** Files written and checked: the row as it is stored and as manifest.json describes it. */
    public Backup succeeded(
            Instant finished,
            long duration,
            long size,
            String server,
            String tool,
            List<BackupFile> writtenFiles,
            List<TableCount> countedTables,
            String firstWal) {
        return new Backup(
                id,
                kind,
                BackupStatus.SUCCEEDED,
                triggeredBy,
                directory,
                encrypted,
                startedAt,
                finished,
                duration,
                size,
                database,
                server,
                tool,
                List.copyOf(writtenFiles),
                List.copyOf(countedTables),
                firstWal,
                null,
                null,
                null,
                null);
    }

    /** Restored into a scratch database and compared; restore is the measured restore time in milliseconds. */
    public Backup verified(Instant at, long restore) {
        if (!usable()) {
            throw new IllegalStateException("backup " + id + " is " + status + " and cannot become VERIFIED");
        }
        return new Backup(
                id,
                kind,
                BackupStatus.VERIFIED,
                triggeredBy,
                directory,
                encrypted,
                startedAt,
                finishedAt,
                durationMillis,
                sizeBytes,
                database,
                serverVersion,
                toolVersion,
                files,
                tables,
                walStart,
                null,
                at,
                restore,
                null);
    }
}
