package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-27T02:00:00Z");

    @Test
    void theNewestVerifiedFullStaysWhateverItsAge() {
        var verifiedOld = backup(1, BackupKind.FULL, BackupStatus.VERIFIED, 90);
        var verifiedOlder = backup(2, BackupKind.FULL, BackupStatus.VERIFIED, 120);
        var fresh = backup(3, BackupKind.FULL, BackupStatus.SUCCEEDED, 0);
        var oldSucceeded = backup(4, BackupKind.FULL, BackupStatus.SUCCEEDED, 45);
        var failed = backup(5, BackupKind.FULL, BackupStatus.FAILED, 31);
        var expired = Retention.expired(List.of(verifiedOld, verifiedOlder, fresh, oldSucceeded, failed), NOW, 30);
        assertThat(expired).extracting(Backup::id).containsExactlyInAnyOrder(2L, 4L, 5L);
    }

    @Test
    void theLastUsableCopyOfAKindIsNeverDeletedNorARunningOne() {
        var onlyCritical = backup(1, BackupKind.CRITICAL, BackupStatus.SUCCEEDED, 400);
        var running = backup(2, BackupKind.FULL, BackupStatus.RUNNING, 100);
        var failedCritical = backup(3, BackupKind.CRITICAL, BackupStatus.FAILED, 10);
        assertThat(Retention.expired(List.of(onlyCritical, running, failedCritical), NOW, 30))
                .isEmpty();
    }

    @Test
    void withinTheRetentionNothingGoes() {
        var a = backup(1, BackupKind.FULL, BackupStatus.SUCCEEDED, 29);
        var b = backup(2, BackupKind.FULL, BackupStatus.FAILED, 1);
        assertThat(Retention.expired(List.of(a, b), NOW, 30)).isEmpty();
    }

    @Test
    void walIsKeptFromTheOldestBaseBackupThatStays() {
        var oldBase = base(1, 40, "000000010000000000000003");
        var newerBase = base(2, 20, "000000010000000000000009");
        var newestBase = base(3, 1, "00000001000000000000000F");
        var all = List.of(oldBase, newerBase, newestBase);
        var expired = Retention.expired(all, NOW, 30);
        assertThat(expired).extracting(Backup::id).containsExactly(1L);
        assertThat(Retention.oldestKeptBase(all, expired)).map(Backup::walStart).contains("000000010000000000000009");
    }

    private static Backup backup(long id, BackupKind kind, BackupStatus status, int daysOld) {
        Instant started = NOW.minus(Duration.ofDays(daysOld));
        return new Backup(
                id,
                kind,
                status,
                "schedule",
                "/b/" + id,
                true,
                started,
                status == BackupStatus.RUNNING ? null : started.plusSeconds(60),
                60_000L,
                1L,
                "db",
                null,
                null,
                List.of(),
                List.of(),
                null,
                status == BackupStatus.FAILED ? "x" : null,
                status == BackupStatus.VERIFIED ? started.plusSeconds(3600) : null,
                status == BackupStatus.VERIFIED ? 1000L : null,
                null);
    }

    private static Backup base(long id, int daysOld, String walStart) {
        Backup b = backup(id, BackupKind.BASE, BackupStatus.SUCCEEDED, daysOld);
        return new Backup(
                b.id(),
                b.kind(),
                b.status(),
                b.triggeredBy(),
                b.directory(),
                false,
                b.startedAt(),
                b.finishedAt(),
                b.durationMillis(),
                b.sizeBytes(),
                b.database(),
                null,
                null,
                List.of(),
                List.of(),
                walStart,
                null,
                null,
                null,
                null);
    }
}
