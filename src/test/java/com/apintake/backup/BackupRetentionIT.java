package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.TestEnvironment;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention runs after each successful backup: old backups go (files and row), but the newest
 * VERIFIED full backup stays whatever its age. The test server runs with RETENTION_DAYS=20 in its
 * environment (see the pom), so a 25-day-old backup going proves the plain variable is honoured.
 */
@ExtendWith(ArquillianExtension.class)
class BackupRetentionIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void oldBackupsGoButTheNewestVerifiedFullStays() throws Exception {
        BackupApi.backup(base, "schema"); // the backup folder exists
        List<Long> fakes = new ArrayList<>();
        try (Connection connection = TestEnvironment.connect()) {
            // Other test classes may have verified fresh full backups; here the fake one must be the newest VERIFIED.
            connection
                    .createStatement()
                    .execute("UPDATE backups SET status = 'SUCCEEDED' WHERE kind = 'full' AND status = 'VERIFIED'");
            long newestVerified = fake(connection, "full", "VERIFIED", 100, true);
            long olderVerified = fake(connection, "full", "VERIFIED", 200, true);
            long oldSucceeded = fake(connection, "full", "SUCCEEDED", 25, true);
            long oldFailed = fake(connection, "critical", "FAILED", 40, false);
            long recent = fake(connection, "full", "SUCCEEDED", 10, true);
            fakes.addAll(List.of(newestVerified, olderVerified, oldSucceeded, oldFailed, recent));
            Path newestVerifiedDir = directory(connection, newestVerified);
            Path olderVerifiedDir = directory(connection, olderVerified);
            Path oldSucceededDir = directory(connection, oldSucceeded);
            Path recentDir = directory(connection, recent);

            BackupApi.backup(base, "full");

            assertThat(exists(connection, newestVerified))
                    .as("newest VERIFIED full, 100 days old")
                    .isTrue();
            assertThat(newestVerifiedDir).exists();
            assertThat(exists(connection, recent)).as("10 days old, within 20").isTrue();
            assertThat(recentDir).exists();
            assertThat(exists(connection, olderVerified))
                    .as("an older VERIFIED full")
                    .isFalse();
            assertThat(olderVerifiedDir).doesNotExist();
            assertThat(exists(connection, oldSucceeded))
                    .as("25 days old with RETENTION_DAYS=20")
                    .isFalse();
            assertThat(oldSucceededDir).doesNotExist();
            assertThat(exists(connection, oldFailed)).isFalse();
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                for (long id : fakes) {
                    Path directory = exists(connection, id) ? directory(connection, id) : null;
                    connection.createStatement().execute("DELETE FROM backups WHERE id = " + id);
                    if (directory != null && Files.exists(directory)) {
                        Files.deleteIfExists(directory.resolve("fake.dump"));
                        Files.delete(directory);
                    }
                }
            }
        }
    }

    private static long fake(Connection connection, String kind, String status, int daysOld, boolean withFiles)
            throws Exception {
        String verified =
                status.equals("VERIFIED") ? "now() - interval '" + daysOld + " days' + interval '1 hour'" : "NULL";
        String restoreMs = status.equals("VERIFIED") ? "1234" : "NULL";
        String reason = status.equals("FAILED") ? "'fake failure'" : "NULL";
        try (var rows = connection.createStatement().executeQuery("""
                INSERT INTO backups (kind, status, triggered_by, started_at, finished_at, duration_ms, failure_reason, verified_at, restore_ms)
                VALUES ('%s', '%s', 'schedule', now() - interval '%d days', now() - interval '%d days' + interval '1 minute', 60000, %s, %s, %s)
                RETURNING id""".formatted(
                        kind, status, daysOld, daysOld, reason, verified, restoreMs))) {
            rows.next();
            long id = rows.getLong(1);
            if (withFiles) {
                Path directory = TestEnvironment.backups().resolve("fake-" + id + "-" + kind);
                Files.createDirectories(directory);
                Files.writeString(directory.resolve("fake.dump"), "fake");
                connection
                        .createStatement()
                        .execute("UPDATE backups SET directory = '" + directory + "' WHERE id = " + id);
            }
            return id;
        }
    }

    private static boolean exists(Connection connection, long id) throws Exception {
        try (var rows = connection.createStatement().executeQuery("SELECT count(*) FROM backups WHERE id = " + id)) {
            rows.next();
            return rows.getInt(1) == 1;
        }
    }

    private static Path directory(Connection connection, long id) throws Exception {
        try (var rows = connection.createStatement().executeQuery("SELECT directory FROM backups WHERE id = " + id)) {
            rows.next();
            return Path.of(rows.getString(1));
        }
    }
}
