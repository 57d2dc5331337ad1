package com.apintake.backup.control;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which backups are past their retention (RETENTION_DAYS). Whatever its age, it keeps the newest
 * VERIFIED full backup (the one a restore is known to work from), the newest usable backup of each
 * kind (never the last copy), and anything still running.
 */
public final class Retention {

    private Retention() {}

    public static List<Backup> expired(List<Backup> backups, Instant now, int retentionDays) {
        Instant cutoff = now.minus(Duration.ofDays(retentionDays));
        Set<Long> kept = new HashSet<>();
        newest(backups, BackupKind.FULL, true).ifPresent(kept::add);
        for (BackupKind kind : BackupKind.values()) {
            newest(backups, kind, false).ifPresent(kept::add);
        }
        return backups.stream()
                .filter(backup -> backup.status() != BackupStatus.RUNNING)
                .filter(backup -> !kept.contains(backup.id()))
                .filter(backup -> backup.startedAt().isBefore(cutoff))
                .toList();
    }

    /** Of the kept base backups, the oldest: WAL older than its start is of no use to any restore. */
    public static java.util.Optional<Backup> oldestKeptBase(List<Backup> backups, List<Backup> expired) {
        Set<Long> leaving = new HashSet<>(expired.stream().map(Backup::id).toList());
        return backups.stream()
                .filter(backup -> backup.kind() == BackupKind.BASE && backup.usable() && backup.walStart() != null)
                .filter(backup -> !leaving.contains(backup.id()))
                .min(Comparator.comparing(Backup::startedAt));
    }

    private static java.util.Optional<Long> newest(List<Backup> backups, BackupKind kind, boolean verifiedOnly) {
        return backups.stream()
                .filter(backup -> backup.kind() == kind)
                .filter(backup -> verifiedOnly ? backup.status() == BackupStatus.VERIFIED : backup.usable())
                .max(Comparator.comparing(Backup::startedAt).thenComparing(Backup::id))
                .map(Backup::id);
    }
}
