package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.apintake.alerts.entity.Severity;
import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalGuardTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path work;

    @Test
    void archivedWalWithoutAnyBaseBackupTakesOne() {
        assertThat(WalGuard.needsBaseBackup(true, List.of(), NOW)).isTrue();
        assertThat(WalGuard.needsBaseBackup(
                        true, List.of(backup(1, BackupKind.FULL, BackupStatus.VERIFIED, Duration.ofDays(1))), NOW))
                .as("logical backups do not let retention prune WAL")
                .isTrue();
    }

    @Test
    void noArchivedWalOrAUsableBaseBackupOrARecentAttemptTakesNone() {
        assertThat(WalGuard.needsBaseBackup(false, List.of(), NOW)).isFalse();
        assertThat(WalGuard.needsBaseBackup(
                        true, List.of(backup(1, BackupKind.BASE, BackupStatus.SUCCEEDED, Duration.ofDays(6))), NOW))
                .isFalse();
        assertThat(WalGuard.needsBaseBackup(
                        true, List.of(backup(2, BackupKind.BASE, BackupStatus.FAILED, Duration.ofMinutes(20))), NOW))
                .as("a base backup failed 20 min ago: its alert is out, no retry loop")
                .isFalse();
        assertThat(WalGuard.needsBaseBackup(
                        true, List.of(backup(3, BackupKind.BASE, BackupStatus.FAILED, Duration.ofHours(2))), NOW))
                .as("an hour later it tries again")
                .isTrue();
    }

    @Test
    void theAlertWarnsWellBeforeTheDiskIsFull() {
        assertThat(WalGuard.severity(30, 14, 3)).isEmpty();
        assertThat(WalGuard.severity(13.9, 14, 3)).contains(Severity.WARNING);
        assertThat(WalGuard.severity(2.5, 14, 3)).contains(Severity.CRITICAL);
        assertThat(WalGuard.severity(Double.NaN, 14, 3)).isEmpty();
    }

    @Test
    void daysLeftIsFreeSpaceOverInflow() {
        assertThat(DiskRunway.daysLeft(100e9, 10e9)).isCloseTo(10, within(1e-9));
        assertThat(DiskRunway.daysLeft(100e9, 0)).isEqualTo(DiskRunway.MAX_DAYS);
        assertThat(DiskRunway.daysLeft(Double.NaN, 1)).isNaN();
    }

    @Test
    void inflowCountsOnlySegmentsArchivedWithinTheWindow() throws Exception {
        Path archive = Files.createDirectory(work.resolve("wal"));
        Instant now = Instant.now();
        Path recent = Files.write(archive.resolve("000000010000000000000002.gpg"), new byte[3000]);
        Path old = Files.write(archive.resolve("000000010000000000000001.gpg"), new byte[5000]);
        Files.setLastModifiedTime(recent, FileTime.from(now.minus(Duration.ofHours(2))));
        Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofHours(30))));

        var facts = DiskRunway.measure(Optional.of(archive), work, Optional.empty(), now, Duration.ofHours(12));

        assertThat(facts.archiveBytes()).isEqualTo(8000);
        assertThat(facts.archiveFiles()).isEqualTo(2);
        assertThat(facts.inflowBytesPerDay()).as("3000 bytes in 12 h").isCloseTo(6000, within(1e-6));
        assertThat(facts.archiveFreeBytes()).isPositive();
        // Same file system, read a moment apart while other processes write: close, not equal.
        assertThat(facts.backupFreeBytes())
                .isCloseTo(facts.archiveFreeBytes(), org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(facts.dataFreeBytes()).isNaN();
        assertThat(facts.daysLeft()).isEqualTo(Math.min(DiskRunway.MAX_DAYS, facts.archiveFreeBytes() / 6000));
    }

    @Test
    void withoutAnArchiveThereIsNothingToMeasure() throws Exception {
        var facts = DiskRunway.measure(Optional.empty(), work, Optional.empty(), Instant.now(), Duration.ofHours(24));
        assertThat(facts.archiveBytes()).isNaN();
        assertThat(facts.daysLeft()).isNaN();
    }

    private static Backup backup(long id, BackupKind kind, BackupStatus status, Duration age) {
        Instant started = NOW.minus(age);
        return new Backup(
                id,
                kind,
                status,
                "schedule",
                "/b/" + id,
                true,
                started,
                started.plusSeconds(60),
                60_000L,
                1L,
                "db",
                null,
                null,
                List.of(),
                List.of(),
                kind == BackupKind.BASE ? "000000010000000000000001" : null,
                status == BackupStatus.FAILED ? "x" : null,
                null,
                null,
                null);
    }
}
