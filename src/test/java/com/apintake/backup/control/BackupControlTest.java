package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.TableCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure pieces: schedules, WAL segment arithmetic, tool lookup, the area's permissions, kinds. */
class BackupControlTest {

    @Test
    void cronFieldsBecomeAnEjbCalendarExpression() {
        var daily =
                CronSchedule.parse("0 2 * * *", Optional.of("Europe/Berlin")).orElseThrow();
        assertThat(daily.getMinute()).isEqualTo("0");
        assertThat(daily.getHour()).isEqualTo("2");
        assertThat(daily.getDayOfMonth()).isEqualTo("*");
        assertThat(daily.getDayOfWeek()).isEqualTo("*");
        assertThat(daily.getSecond()).isEqualTo("0");
        assertThat(daily.getTimezone()).isEqualTo("Europe/Berlin");
        assertThat(CronSchedule.parse("30 3 * * 0", Optional.empty())
                        .orElseThrow()
                        .getDayOfWeek())
                .isEqualTo("0");
        assertThat(CronSchedule.parse("off", Optional.empty())).isEmpty();
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * *", Optional.empty()))
                .hasMessageContaining("five fields");
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * * *", Optional.of("Mars/Olympus")))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void walSegmentNumbersFollowLogAndSegmentParts() {
        long size = 16L << 20;
        assertThat(WalArchive.segmentNumber("000000010000000000000003", size)).isEqualTo(3);
        assertThat(WalArchive.segmentNumber("0000000100000001000000FF", size)
                        - WalArchive.segmentNumber("0000000100000001000000FE", size))
                .isEqualTo(1);
        assertThat(WalArchive.segmentNumber("000000010000000200000000", size)
                        - WalArchive.segmentNumber("0000000100000001000000FF", size))
                .isEqualTo(1);
    }

    @Test
    void missingToolsAreNamedWithWhereWeLooked(@TempDir Path empty) {
        var tools = new PostgresTools(empty.resolve("bin"), empty.toString());
        assertThat(tools.missing(PostgresTools.LOGICAL)).containsExactly("pg_dump", "pg_restore", "pg_dumpall");
        assertThat(tools.missingMessage(List.of("pg_dump")))
                .contains("pg_dump")
                .contains(empty.resolve("bin").toString())
                .contains("apintake.backup.pg-bin");
    }

    @Test
    void theAreaIsPrivateAndDeletesOnlyInsideItself(@TempDir Path temp) throws Exception {
        var area = new BackupArea(temp.resolve("backups"));
        Path directory = area.newBackupDirectory(42, BackupKind.FULL, Instant.parse("2026-11-27T02:00:00Z"));
        assertThat(directory.getFileName().toString()).isEqualTo("20261127T020000Z-42-full");
        try (var out = BackupArea.createPrivateFile(directory.resolve("x.dump"))) {
            out.write(1);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(area.root())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("x.dump"))))
                .isEqualTo("rw-------");
        try (var out = BackupArea.createDurableFile(directory.resolve("y.dump"))) {
            out.write(new byte[] {1, 2, 3}, 1, 2);
            out.write(4);
        }
        BackupArea.syncDirectory(directory);
        assertThat(Files.readAllBytes(directory.resolve("y.dump"))).containsExactly(2, 3, 4);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("y.dump"))))
                .isEqualTo("rw-------");
        assertThatThrownBy(() -> BackupArea.createDurableFile(directory.resolve("y.dump")))
                .as("never over an existing file")
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThatThrownBy(() -> area.remove(temp)).hasMessageContaining("outside the backup area");
        area.remove(directory);
        assertThat(directory).doesNotExist();
    }

    @Test
    void theEndpointKeepsThePasswordOutOfItsTextAndInTheChildsEnvironment() {
        var endpoint = new DatabaseEndpoint(
                "db.internal", 5432, "ap_intake", "ap", "s3cret", Map.of("sslmode", "verify-full"));
        assertThat(endpoint.toString()).doesNotContain("s3cret").isEqualTo("ap@db.internal:5432/ap_intake");
        assertThat(endpoint.environment())
                .containsEntry("PGPASSWORD", "s3cret")
                .containsEntry("PGSSLMODE", "verify-full")
                .containsEntry("PGHOST", "db.internal");
        assertThat(new DatabaseEndpoint("h", 1, "d", "u", null, Map.of()).environment())
                .doesNotContainKey("PGPASSWORD");
    }

    @Test
    void kindsParseFromTheirLabels() {
        assertThat(BackupKind.parse("Full")).isEqualTo(BackupKind.FULL);
        assertThat(BackupKind.DATA.drillable()).isFalse();
        assertThatThrownBy(() -> BackupKind.parse("all")).hasMessageContaining("full, schema, data, critical, base");
    }

    @Test
    void countsWithoutChecksumsAreRecordedAndComparedAndOlderChecksummedManifestsStillRead() throws Exception {
        var counted = List.of(new TableCount("invoices", 3, null), new TableCount("vendors", 2, null));
        String json = ManifestFile.tables(counted).toString();
        assertThat(json).doesNotContain("checksum");
        assertThat(ManifestFile.parseTables(json)).isEqualTo(counted);
        var older = ManifestFile.parseTables("[{\"table\":\"invoices\",\"rows\":3,\"checksum\":\"123\"}]");
        assertThat(older).containsExactly(new TableCount("invoices", 3, "123"));

        RestoreDrill.compare(counted, counted);
        assertThatThrownBy(() -> RestoreDrill.compare(
                        counted, List.of(new TableCount("invoices", 2, null), new TableCount("vendors", 2, null))))
                .hasMessageContaining("invoices: 3 rows in the backup, 2 restored");
        RestoreDrill.compare(older, List.of(new TableCount("invoices", 3, "123")));
        assertThatThrownBy(() -> RestoreDrill.compare(older, List.of(new TableCount("invoices", 3, "124"))))
                .hasMessageContaining("different contents");
    }

    @Test
    void rowChecksumsAreAnOptIn() {
        assertThat(CriticalTables.parse("invoices, vendors").checksums()).isFalse();
        assertThat(CriticalTables.parse("invoices", true).checksums()).isTrue();
        assertThat(CriticalTables.COUNT.formatted("invoices")).doesNotContain("md5");
    }
}
