package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Point-in-time recovery end to end, everything encrypted as in production: a base backup through the
 * API (pg_basebackup, verified with pg_verifybackup, sealed as an OpenPGP tar), WAL archived by
 * scripts/wal-gpg.sh as OpenPGP files, rows inserted, the time noted, the rows deleted; then the operator's
 * scripts/pitr-restore.sh restores the base backup into a new data directory, replays the archived
 * WAL to that time and starts it on another port, where the rows are back. That server is stopped by
 * its data directory (pg_ctl) and deleted.
 */
@ExtendWith(ArquillianExtension.class)
class PointInTimeRecoveryIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void restoreToTheNotedTimeBringsDeletedRowsBack() throws Exception {
        JsonObject backup = BackupApi.backup(base, "base");
        String walStart = backup.getString("walStart");
        assertThat(walStart).matches("[0-9A-F]{24}");
        Path baseDirectory = Path.of(backup.getString("directory"));
        assertThat(backup.getBoolean("encrypted")).isTrue();
        assertThat(baseDirectory.resolve("base.tar.gpg")).exists();
        assertThat(baseDirectory.resolve("data")).as("no plaintext copy left").doesNotExist();
        assertThat(baseDirectory.resolve("manifest.json")).exists();
        assertThat(backup.getString("toolVersion")).startsWith("pg_basebackup (PostgreSQL) 15.");
        // WAL retention follows base backups: nothing older than the oldest kept base backup's start.
        try (var archived = Files.list(TestEnvironment.postgres().walArchive())) {
            List<String> segments = archived.map(path -> path.getFileName().toString())
                    .filter(name -> name.matches("[0-9A-F]{24}(\\.gpg)?"))
                    .toList();
            assertThat(segments).as("archived WAL is encrypted").isNotEmpty().allMatch(name -> name.endsWith(".gpg"));
            assertThat(segments)
                    .allSatisfy(name ->
                            assertThat(name.compareTo(walStart)).as(name).isGreaterThanOrEqualTo(0));
        }

        String marker = "pitr-" + System.nanoTime();
        String target;
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO vendors (name) SELECT '" + marker + " ' || g FROM generate_series(1, 3) g");
            Thread.sleep(1200);
            try (var rows = statement.executeQuery(
                    "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")) {
                rows.next();
                target = rows.getString(1);
            }
            Thread.sleep(1200);
            assertThat(statement.executeUpdate("DELETE FROM vendors WHERE name LIKE '" + marker + " %'"))
                    .isEqualTo(3);
            String segment;
            try (var rows = statement.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn())")) {
                rows.next();
                segment = rows.getString(1);
            }
            statement.execute("SELECT pg_switch_wal()");
            awaitArchived(segment);
        }

        Path data = Path.of(System.getProperty("apintake.basedir"), "target/it/pitr-restore");
        Folders.deleteRecursively(data);
        int port = com.apintake.testsupport.PayaraMicroLaunch.freePort();
        Path script = Path.of(System.getProperty("apintake.basedir"), "scripts/pitr-restore.sh");
        try {
            var restore = BackupApi.run(
                    List.of(
                            "bash",
                            script.toString(),
                            "--base",
                            baseDirectory.toString(),
                            "--wal-archive",
                            TestEnvironment.postgres().walArchive().toString(),
                            "--target-time",
                            target,
                            "--data-dir",
                            data.toString(),
                            "--port",
                            Integer.toString(port),
                            "--passphrase-file",
                            TestEnvironment.postgres().walKey().orElseThrow().toString()),
                    Map.of());
            assertThat(restore.exit()).as(restore.output()).isZero();
            assertThat(restore.output()).contains("Recovered to " + target);
            long pid = Long.parseLong(restore.output()
                    .lines()
                    .filter(line -> line.startsWith("PID="))
                    .findFirst()
                    .orElseThrow()
                    .substring(4));
            assertThat(ProcessHandle.of(pid)).isPresent();

            Properties properties = new Properties();
            properties.setProperty("user", TestEnvironment.USER);
            try (Connection restored = DriverManager.getConnection(
                            "jdbc:postgresql://127.0.0.1:" + port + "/" + TestEnvironment.DATABASE, properties);
                    var rows = restored.createStatement()
                            .executeQuery(
                                    "SELECT count(*), bool_and(NOT pg_is_in_recovery()) FROM vendors WHERE name LIKE '"
                                            + marker + " %'")) {
                rows.next();
                assertThat(rows.getInt(1))
                        .as("the deleted rows are back at " + target)
                        .isEqualTo(3);
                assertThat(rows.getBoolean(2)).as("promoted").isTrue();
            }
            try (Connection live = TestEnvironment.connect();
                    var rows = live.createStatement()
                            .executeQuery("SELECT count(*) FROM vendors WHERE name LIKE '" + marker + " %'")) {
                rows.next();
                assertThat(rows.getInt(1)).as("the live database is untouched").isZero();
            }

            stop(data);
            ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().join());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
        } finally {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop(data);
            }
            Folders.deleteRecursively(data);
            Files.deleteIfExists(data.resolveSibling("pitr-restore.log"));
        }

        JsonObject wal = Http.get(base, "/api/v1/database/backups/wal").json();
        assertThat(wal.getString("archiveMode")).isEqualTo("on");
        assertThat(wal.getJsonNumber("archivedCount").longValue()).isPositive();
        assertThat(wal.getJsonNumber("failedCount").longValue()).isZero();
    }

    private void awaitArchived(String segment) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonObject wal = Http.get(base, "/api/v1/database/backups/wal").json();
            if (wal.containsKey("lastArchivedWal")
                    && wal.getString("lastArchivedWal").compareTo(segment) >= 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("WAL segment " + segment + " was not archived within 60 s");
    }

    /** pg_ctl refuses root; as root it runs in the same user namespace wrapper the script started the server with. */
    private static void stop(Path data) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(BackupApi.PG_BIN + "/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop"));
        var stopped = BackupApi.run(command, Map.of());
        assertThat(stopped.exit()).as(stopped.output()).isZero();
    }
}
