package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Commands;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full backup restores into a fresh, empty PostgreSQL cluster (its own initdb, port and data folder),
 * with stock tools only, in the order docs/backups-restore.md gives: roles first
 * ({@code gpg --decrypt roles.sql.gpg | psql}), then the database ({@code gpg --decrypt x.dump.gpg |
 * pg_restore}) with owners and grants as they were. Then the application boots on it: a second Payara
 * Micro (its own process, root folder and port; stopped by its PID at the end) with the test pool pointed
 * at the new cluster answers /health/ready UP, its Liquibase run at boot applies nothing (the changelog
 * table is unchanged), and an invoice that was in the backup is served by GET /api/v1/invoices/{id}.
 * That second instance runs with apintake.backup.format=directory, so the directory format is proven
 * through a configured server too: a backup through its API, its drill, and a restore by hand.
 */
@ExtendWith(ArquillianExtension.class)
class FreshClusterRestoreIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aFullBackupRestoresIntoAFreshClusterWithItsRolesAndTheApplicationBootsOnIt() throws Exception {
        BackupApi.seed("bk-fresh", 150);
        JsonObject backup = BackupApi.backup(base, "full");
        Path directory = Path.of(backup.getString("directory"));
        var names = backup.getJsonArray("files").getValuesAs(JsonObject.class).stream()
                .map(file -> file.getString("name"))
                .toList();
        assertThat(names).containsExactly(TestEnvironment.DATABASE + ".dump.gpg", "roles.sql.gpg");
        long invoiceId;
        String invoiceNumber;
        try (Connection db = TestEnvironment.connect();
                var rows = db.createStatement()
                        .executeQuery("SELECT id, invoice_number FROM invoices"
                                + " WHERE original_filename LIKE 'bk-fresh-%' ORDER BY id DESC LIMIT 1")) {
            rows.next();
            invoiceId = rows.getLong(1);
            invoiceNumber = rows.getString(2);
        }

        Path work = Path.of(System.getProperty("apintake.basedir"), "target/it/fresh-cluster");
        Folders.deleteRecursively(work);
        PostgresServer fresh =
                new PostgresServer(work.resolve("data"), PostgresServer.freeServerPort(), TestEnvironment.USER, null);
        Process payara = null;
        try {
            fresh.start();
            Map<String, String> connection = connection(fresh, "postgres");

            // 1. Roles (the database's owner, ap_app and its grants); "role postgres already exists" is expected.
            var roles = decryptInto(
                    directory.resolve("roles.sql.gpg"), List.of(BackupApi.PG_BIN + "/psql", "-q"), connection);
            assertThat(roles.exit()).as(roles.output()).isZero();
            // 2. The database, with owners and grants as they were.
            fresh.createDatabaseIfMissing(TestEnvironment.DATABASE);
            var restored = decryptInto(
                    directory.resolve(TestEnvironment.DATABASE + ".dump.gpg"),
                    List.of(
                            BackupApi.PG_BIN + "/pg_restore",
                            "--dbname=" + TestEnvironment.DATABASE,
                            "--exit-on-error"),
                    connection);
            assertThat(restored.exit()).as(restored.output()).isZero();

            long changesets;
            try (Connection db = fresh.connect(TestEnvironment.DATABASE)) {
                for (JsonObject table : backup.getJsonArray("tables").getValuesAs(JsonObject.class)) {
                    assertThat(BackupApi.count(db, table.getString("table")))
                            .as("restored " + table.getString("table"))
                            .isEqualTo(table.getJsonNumber("rows").longValue());
                }
                try (var rows =
                        db.createStatement().executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'ap_app'")) {
                    rows.next();
                    assertThat(rows.getInt(1)).as("role ap_app restored").isOne();
                }
                try (var rows = db.createStatement()
                        .executeQuery("SELECT has_table_privilege('ap_app', 'invoices', 'INSERT')")) {
                    rows.next();
                    assertThat(rows.getBoolean(1)).as("grants restored").isTrue();
                }
                changesets = BackupApi.count(db, "databasechangelog");
            }

            // 3. The application boots on the restored database.
            PayaraMicroLaunch launch = new PayaraMicroLaunch(
                    Path.of(System.getProperty("apintake.basedir")),
                    Path.of(System.getProperty("apintake.runtime")),
                    work.resolve("payara"),
                    "test",
                    PayaraMicroLaunch.freePort());
            Path log = work.resolve("payara.log");
            Files.createDirectories(work);
            payara = new ProcessBuilder(launch.command(
                            Path.of(System.getProperty("apintake.war")),
                            quietInstance(work),
                            Map.of(
                                    "DB_PORT",
                                    Integer.toString(fresh.port()),
                                    "DB_NAME",
                                    TestEnvironment.DATABASE,
                                    "DATABASE_POOL_LEAK_TIMEOUT",
                                    "300")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertThat(launch.awaitReady(payara, Duration.ofMinutes(6)))
                    .as("the application on the restored cluster is ready (log: %s)", log)
                    .isTrue();
            URL restoredApp = new URL("http://127.0.0.1:" + launch.httpPort() + "/");

            var ready = Http.anonymous().get(restoredApp, "/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.<JsonObject>json().getString("status")).isEqualTo("UP");
            try (Connection db = fresh.connect(TestEnvironment.DATABASE)) {
                assertThat(BackupApi.count(db, "databasechangelog"))
                        .as("the application's Liquibase run at boot found the restored schema current")
                        .isEqualTo(changesets);
            }
            // The users came back with the backup: the test's admin logs in with the password it always had.
            var invoice = Http.get(restoredApp, "/api/v1/invoices/" + invoiceId);
            assertThat(invoice.status()).as(invoice.body()).isEqualTo(200);
            assertThat(invoice.<JsonObject>json().getString("invoiceNumber")).isEqualTo(invoiceNumber);

            // 4. This instance runs with apintake.backup.format=directory (jobs 2): a backup through its REST API
            // is one OpenPGP file per part, its drill passes, and gpg --decrypt per file + pg_restore --jobs
            // restores it by hand as docs/backups-restore.md says.
            directoryFormatBackupThroughTheApi(restoredApp, fresh, work);
        } finally {
            PayaraMicroLaunch.stop(payara);
            fresh.stop();
            Folders.deleteRecursively(work);
        }
    }

    /** Every timer off, so the second instance only serves requests (nothing claims jobs or writes backups). */
    private static Map<String, String> quietInstance(Path work) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "apintake.instance.name", "fresh-cluster",
                "apintake.backup.dir", work.resolve("backups").toString(),
                "apintake.backup.schedule", "off",
                "apintake.backup.base.schedule", "off",
                "apintake.backup.drill.schedule", "off",
                "apintake.backup.wal-guard.seconds", "0",
                "apintake.maintenance.weekly", "off",
                "apintake.maintenance.daily", "off",
                "apintake.backup.format", "directory"));
        settings.putAll(Map.of(
                "apintake.inbox.dir",
                work.resolve("inbox").toString(),
                "apintake.inbox.interval-seconds",
                "0",
                "apintake.export.dir",
                work.resolve("exports").toString(),
                "apintake.export.interval-seconds",
                "0",
                "ADMIN_USER",
                TestEnvironment.ADMIN_USER,
                "ADMIN_PASSWORD",
                TestEnvironment.adminPassword()));
        return settings;
    }

    private static void directoryFormatBackupThroughTheApi(URL app, PostgresServer server, Path work) throws Exception {
        JsonObject backup = BackupApi.backup(app, "full");
        String folder = TestEnvironment.DATABASE + ".dir/";
        var names = backup.getJsonArray("files").getValuesAs(JsonObject.class).stream()
                .map(file -> file.getString("name"))
                .toList();
        assertThat(names).contains(folder + "toc.dat.gpg").endsWith("roles.sql.gpg");
        assertThat(names.subList(0, names.size() - 1))
                .hasSizeGreaterThan(2)
                .allMatch(name -> name.startsWith(folder) && name.endsWith(".gpg"));
        Path directory = Path.of(backup.getString("directory"));
        try (var left = Files.list(directory)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("no plain folder left behind")
                    .containsExactlyInAnyOrder(TestEnvironment.DATABASE + ".dir", "roles.sql.gpg", "manifest.json");
        }

        JsonObject verified = BackupApi.verify(app, backup.getJsonNumber("id").longValue());
        assertThat(verified.getString("status")).as(verified.toString()).isEqualTo("VERIFIED");

        Path opened = Files.createDirectories(work.resolve("opened"));
        for (String name : names.subList(0, names.size() - 1)) {
            String plain = Path.of(name).getFileName().toString().replaceFirst("\\.gpg$", "");
            var decrypted = BackupApi.decrypt(directory.resolve(name), opened.resolve(plain), BackupApi.key());
            assertThat(decrypted.exit()).as(decrypted.output()).isZero();
        }
        String byHand = "ap_intake_dir_by_hand";
        server.createDatabaseIfMissing(byHand);
        var restored = Commands.run(
                List.of(
                        BackupApi.PG_BIN + "/pg_restore",
                        "--dbname=" + byHand,
                        "--no-owner",
                        "--exit-on-error",
                        "--jobs=2",
                        opened.toString()),
                connection(server, "postgres"),
                BackupApi.TIMEOUT);
        assertThat(restored.exit()).as(restored.output()).isZero();
        try (Connection db = server.connect(byHand)) {
            for (JsonObject table : backup.getJsonArray("tables").getValuesAs(JsonObject.class)) {
                assertThat(BackupApi.count(db, table.getString("table")))
                        .as("restored by hand " + table.getString("table"))
                        .isEqualTo(table.getJsonNumber("rows").longValue());
            }
        }
    }

    /** gpg --decrypt FILE | consumer, exactly the pipe docs/backups-restore.md gives. */
    private static Commands.Result decryptInto(Path encrypted, List<String> consumer, Map<String, String> environment)
            throws Exception {
        List<String> gpg = new ArrayList<>(BackupApi.gpg(BackupApi.key()));
        gpg.addAll(List.of("--decrypt", encrypted.toString()));
        return Commands.pipe(gpg, consumer, environment, BackupApi.TIMEOUT);
    }

    private static Map<String, String> connection(PostgresServer server, String database) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", "127.0.0.1");
        environment.put("PGPORT", Integer.toString(server.port()));
        environment.put("PGUSER", TestEnvironment.USER);
        environment.put("PGDATABASE", database);
        return environment;
    }
}
