package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backup that cannot complete ends FAILED with its reason, leaves no file behind and is never
 * listed as usable: pg_dump killed mid-run, the disk full, the folder not writable. Disk full and
 * read-only are real: a tiny (or read-only) tmpfs mounted over the backup folder for the test.
 */
@ExtendWith(ArquillianExtension.class)
class BackupFaultsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aBackupWhosePgDumpIsKilledEndsFailedWithNoFilesLeft() throws Exception {
        BackupApi.backup(base, "schema"); // the backup folder exists
        long id;
        long pid;
        // Hold pg_dump on a table lock, so it is surely mid-run when it is killed.
        try (Connection blocker = TestEnvironment.connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE invoice_documents IN ACCESS EXCLUSIVE MODE");
            id = BackupApi.start(base, "full");
            pid = awaitPid(id);
            // The PID the application reports is the pg_dump it started, a child of the Payara Micro this test run
            // started.
            String commandLine =
                    Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertThat(commandLine).contains("pg_dump").contains("--format=custom");
            Path directory = Path.of(BackupApi.get(base, id).getString("directory"));
            assertThat(directory).exists();
            assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
            JsonObject failed = BackupApi.await(base, id);
            blocker.rollback();

            assertThat(failed.getString("status")).isEqualTo("FAILED");
            assertThat(failed.getBoolean("usable")).isFalse();
            assertThat(failed.getString("failureReason")).contains("pg_dump").contains("signal 9");
            assertThat(failed.containsKey("directory")).isFalse();
            assertThat(failed.getJsonArray("files")).isEmpty();
            assertThat(directory).doesNotExist();
        }
        assertNothingLeftOf(id);
        assertNotListedAsUsable(id);
        // The failure went through the alert store (and its sinks); the next good full backup resolves it.
        assertThat(openAlertConditions()).contains("backup_full");
        assertThat(BackupApi.backup(base, "full").getString("status")).isEqualTo("SUCCEEDED");
        assertThat(openAlertConditions()).doesNotContain("backup_full");
    }

    private java.util.List<String> openAlertConditions() {
        jakarta.json.JsonObject alerts = com.apintake.testsupport.Http.get(base, "/api/v1/database/alerts")
                .json();
        return alerts.getJsonArray("open").getValuesAs(JsonObject.class).stream()
                .map(a -> a.getString("condition"))
                .toList();
    }

    @Test
    void aFullDiskFailsTheBackupAndLeavesNoPartialFile() throws Exception {
        BackupApi.backup(base, "schema");
        // Enough incompressible rows that the dump cannot fit in 64 kB.
        try (Connection connection = TestEnvironment.connect()) {
            connection
                    .createStatement()
                    .execute(
                            "INSERT INTO vendors (name) SELECT 'disk-full ' || md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 4000) g");
        }
        Path area = TestEnvironment.backups();
        long id;
        mount(area, "size=64k");
        try {
            id = BackupApi.start(base, "full");
            JsonObject failed = BackupApi.await(base, id);
            assertThat(failed.getString("status")).isEqualTo("FAILED");
            assertThat(failed.getString("failureReason")).containsIgnoringCase("No space left on device");
            try (var left = Files.list(area)) {
                assertThat(left.toList()).as("nothing left on the full disk").isEmpty();
            }
        } finally {
            unmount(area);
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DELETE FROM vendors WHERE name LIKE 'disk-full %'");
            }
        }
        assertNothingLeftOf(id);
        assertNotListedAsUsable(id);
    }

    @Test
    void aFolderThatCannotBeWrittenFailsTheBackup() throws Exception {
        BackupApi.backup(base, "schema");
        Path area = TestEnvironment.backups();
        long id;
        mount(area, "ro");
        try {
            id = BackupApi.start(base, "critical");
            JsonObject failed = BackupApi.await(base, id);
            assertThat(failed.getString("status")).isEqualTo("FAILED");
            assertThat(failed.getString("failureReason")).containsIgnoringCase("Read-only file system");
        } finally {
            unmount(area);
        }
        assertNothingLeftOf(id);
        assertNotListedAsUsable(id);
        // And the next backup, with the folder back, works.
        BackupApi.backup(base, "schema");
    }

    private long awaitPid(long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonObject backup = BackupApi.get(base, id);
            if (backup.containsKey("progress")
                    && backup.getJsonObject("progress").containsKey("pid")) {
                return backup.getJsonObject("progress").getJsonNumber("pid").longValue();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pg_dump process reported for backup " + id);
    }

    private static void assertNothingLeftOf(long id) throws Exception {
        try (var entries = Files.list(TestEnvironment.backups())) {
            assertThat(entries.map(path -> path.getFileName().toString()).toList())
                    .noneMatch(name -> name.matches(".*-" + id + "-[a-z]+"));
        }
    }

    private void assertNotListedAsUsable(long id) {
        JsonArray usable = Http.get(base, "/api/v1/database/backups?usable=true&limit=1000")
                .json();
        assertThat(usable.getValuesAs(JsonObject.class))
                .noneMatch(backup -> backup.getJsonNumber("id").longValue() == id);
    }

    private static void mount(Path folder, String options) throws Exception {
        Files.createDirectories(folder);
        var result =
                BackupApi.run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder.toString()), Map.of());
        assertThat(result.exit())
                .as("mount tmpfs (the test runs as root): " + result.output())
                .isZero();
    }

    private static void unmount(Path folder) throws Exception {
        var result = BackupApi.run(List.of("umount", folder.toString()), Map.of());
        assertThat(result.exit()).as("umount: " + result.output()).isZero();
    }
}
