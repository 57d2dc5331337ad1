package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logical backups through the API, on the real server: each kind restores with the plain pg_restore
 * and gives back what the manifest counted; files are encrypted and private; the drill marks a backup
 * VERIFIED; one job at a time.
 */
@ExtendWith(ArquillianExtension.class)
class BackupsIT {

    private static final List<String> CRITICAL =
            List.of("invoices", "invoice_extractions", "validations", "exceptions", "staged_exports", "vendors");

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aFullBackupRestoresIntoAScratchDatabaseWithEqualRowCountsAndADrillVerifiesIt() throws Exception {
        BackupApi.seed("bk-full", 300);
        JsonObject backup = BackupApi.backup(base, "full");
        long id = backup.getJsonNumber("id").longValue();

        // The manifest: in the row and beside the file, with live counts taken in the dump's snapshot.
        assertThat(backup.getBoolean("usable")).isTrue();
        assertThat(backup.getBoolean("encrypted")).isTrue();
        assertThat(backup.getString("database")).isEqualTo(TestEnvironment.DATABASE);
        assertThat(backup.getString("serverVersion")).startsWith("PostgreSQL 15.");
        assertThat(backup.getString("toolVersion")).startsWith("pg_dump (PostgreSQL) 15.");
        assertThat(backup.getJsonNumber("durationMillis").longValue()).isPositive();
        Path directory = Path.of(backup.getString("directory"));
        Path dump = BackupApi.dumpFile(backup);
        assertThat(dump.getFileName().toString()).isEqualTo(TestEnvironment.DATABASE + ".dump.gpg");
        JsonObject file = backup.getJsonArray("files").getJsonObject(0);
        assertThat(file.getJsonNumber("bytes").longValue()).isEqualTo(Files.size(dump));
        assertThat(file.getString("sha256")).isEqualTo(sha256(dump));
        // The cluster's roles beside it, so it restores into a fresh cluster (FreshClusterRestoreIT).
        JsonObject roles = backup.getJsonArray("files").getJsonObject(1);
        assertThat(roles.getString("name")).isEqualTo("roles.sql.gpg");
        assertThat(roles.getString("sha256")).isEqualTo(sha256(directory.resolve("roles.sql.gpg")));
        assertThat(backup.getJsonNumber("sizeBytes").longValue())
                .as("all files")
                .isEqualTo(Files.size(dump) + Files.size(directory.resolve("roles.sql.gpg")));
        JsonObject manifest;
        try (var reader = Json.createReader(new StringReader(Files.readString(directory.resolve("manifest.json"))))) {
            manifest = reader.readObject();
        }
        assertThat(manifest.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(manifest.getJsonArray("files")).isEqualTo(backup.getJsonArray("files"));
        assertThat(manifest.getJsonArray("tables")).isEqualTo(backup.getJsonArray("tables"));
        assertThat(manifest.getString("encryption")).startsWith("OpenPGP");
        assertThat(manifest.toString()).doesNotContain(BackupApi.key());

        // Private: folders 0700, files 0600.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(TestEnvironment.backups())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("manifest.json"))))
                .isEqualTo("rw-------");

        var tables = backup.getJsonArray("tables").getValuesAs(JsonObject.class);
        assertThat(tables).extracting(t -> t.getString("table")).containsExactlyElementsOf(CRITICAL);
        try (Connection live = TestEnvironment.connect()) {
            for (JsonObject table : tables) {
                assertThat(table.getJsonNumber("rows").longValue())
                        .as(table.getString("table"))
                        .isEqualTo(BackupApi.count(live, table.getString("table")));
            }
        }

        // By hand, as docs/backups-restore.md says: gpg --decrypt piped into the plain pg_restore, new database.
        String scratch = "restore_by_hand_full";
        TestEnvironment.postgres().dropDatabaseIfExists(scratch);
        TestEnvironment.postgres().createDatabaseIfMissing(scratch);
        try {
            var restored = BackupApi.decryptIntoPgRestore(dump, "--dbname=" + scratch, "--no-owner", "--exit-on-error");
            assertThat(restored.exit()).as(restored.output()).isZero();
            try (Connection connection = TestEnvironment.postgres().connect(scratch)) {
                for (JsonObject table : tables) {
                    assertThat(BackupApi.count(connection, table.getString("table")))
                            .as("restored " + table.getString("table"))
                            .isEqualTo(table.getJsonNumber("rows").longValue());
                }
                assertThat(BackupApi.count(connection, "backups"))
                        .as("the catalog's own rows are not backed up")
                        .isZero();
            }
        } finally {
            TestEnvironment.postgres().dropDatabaseIfExists(scratch);
        }

        // The drill: restored by the application into a scratch database, compared, dropped; VERIFIED with its RTO.
        JsonObject verified = BackupApi.verify(base, id);
        assertThat(verified.getString("status")).as(verified.toString()).isEqualTo("VERIFIED");
        assertThat(verified.getJsonNumber("restoreMillis").longValue()).isPositive();
        assertThat(verified.containsKey("verifiedAt")).isTrue();
        try (Connection connection = TestEnvironment.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'ap_intake_drill_%'")) {
            rows.next();
            assertThat(rows.getInt(1)).as("scratch database dropped").isZero();
        }
        assertThat(Files.readString(directory.resolve("manifest.json"))).contains("\"VERIFIED\"");

        // The gauges see it once the monitoring loop has read the catalogue (every measure-seconds, 2 s here):
        // a scrape reads memory only.
        String metrics = com.apintake.monitoring.Await.until(
                () -> Http.get(base, "/metrics?scope=application").body(),
                body -> java.util.regex.Pattern.compile("backup_last_restore_seconds\\{[^}]*\\} [0-9.]+")
                        .matcher(body)
                        .find(),
                java.time.Duration.ofSeconds(30),
                "the backup gauges read by the monitoring loop after the drill");
        assertThat(metrics)
                .containsPattern("backup_last_success_age_seconds\\{[^}]*\\} [0-9.]+")
                .containsPattern("backup_last_verified_age_seconds\\{[^}]*\\} [0-9.]+")
                .containsPattern("backup_last_duration_seconds\\{[^}]*\\} [0-9.]+")
                .containsPattern("backup_last_size_bytes\\{[^}]*\\} [0-9.E]+")
                .containsPattern("backup_last_restore_seconds\\{[^}]*\\} [0-9.]+")
                .contains("backup_wal_archive_lag_seconds")
                // The WAL guard's figures: the test archive exists and has segments, so they are numbers.
                .containsPattern("backup_wal_archive_size_bytes\\{[^}]*\\} [1-9][0-9.E]*")
                .containsPattern("backup_wal_archive_free_bytes\\{[^}]*\\} [1-9][0-9.E]*")
                .containsPattern("backup_area_free_bytes\\{[^}]*\\} [1-9][0-9.E]*")
                .containsPattern("backup_wal_archive_inflow_bytes_per_day\\{[^}]*\\} [0-9.E]+")
                .containsPattern("backup_wal_archive_runway_seconds\\{[^}]*\\} [0-9.E]+");
        JsonObject health = Http.get(base, "/api/v1/database/health").json();
        assertThat(health.toString()).contains("wal_archive_disk_days_left");
    }

    @Test
    void eachKindRestoresWithThePlainPgRestore() throws Exception {
        BackupApi.seed("bk-kinds", 120);
        JsonObject schema = BackupApi.backup(base, "schema");
        JsonObject data = BackupApi.backup(base, "data");
        JsonObject critical = BackupApi.backup(base, "critical");
        assertThat(schema.getJsonArray("tables")).isEmpty();

        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kinds");
        String scratch = "restore_by_hand_kinds";
        try {
            // schema, then data into it: the whole database again.
            TestEnvironment.postgres().dropDatabaseIfExists(scratch);
            TestEnvironment.postgres().createDatabaseIfMissing(scratch);
            for (JsonObject backup : List.of(schema, data)) {
                Path plain = work.resolve(backup.getString("kind") + ".dump");
                assertThat(BackupApi.decrypt(BackupApi.dumpFile(backup), plain, BackupApi.key())
                                .exit())
                        .isZero();
                var restored =
                        BackupApi.pgRestore("--dbname=" + scratch, "--no-owner", "--exit-on-error", plain.toString());
                assertThat(restored.exit())
                        .as(backup.getString("kind") + ": " + restored.output())
                        .isZero();
            }
            assertCounts(scratch, data);

            // critical: just those tables, schema and data.
            TestEnvironment.postgres().dropDatabaseIfExists(scratch);
            TestEnvironment.postgres().createDatabaseIfMissing(scratch);
            Path plain = work.resolve("critical.dump");
            assertThat(BackupApi.decrypt(BackupApi.dumpFile(critical), plain, BackupApi.key())
                            .exit())
                    .isZero();
            var restored =
                    BackupApi.pgRestore("--dbname=" + scratch, "--no-owner", "--exit-on-error", plain.toString());
            assertThat(restored.exit()).as(restored.output()).isZero();
            assertCounts(scratch, critical);
            try (Connection connection = TestEnvironment.postgres().connect(scratch);
                    var rows = connection
                            .createStatement()
                            .executeQuery(
                                    // the partitions of validations and invoice_extractions come with them
                                    "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
                                            + " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
                                            + " AND NOT relispartition")) {
                rows.next();
                assertThat(rows.getString(1))
                        .isEqualTo("exceptions,invoice_extractions,invoices,staged_exports,validations,vendors");
            }
        } finally {
            TestEnvironment.postgres().dropDatabaseIfExists(scratch);
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(work);
        }

        // Drills: a schema backup restores into an empty database; a data-only one cannot, and says why.
        JsonObject schemaVerified =
                BackupApi.verify(base, schema.getJsonNumber("id").longValue());
        assertThat(schemaVerified.getString("status"))
                .as(schemaVerified.toString())
                .isEqualTo("VERIFIED");
        var refused = Http.postJson(base, "/api/v1/database/backups/" + data.getJsonNumber("id") + "/verify", "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.<JsonObject>json().getString("detail")).contains("data backup");
    }

    @Test
    void anEncryptedBackupCannotBeReadWithoutTheKey() throws Exception {
        JsonObject backup = BackupApi.backup(base, "critical");
        Path dump = BackupApi.dumpFile(backup);
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(dump)) {
            assertThat(in.read(head)).isEqualTo(8);
        }
        assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII))
                .as("ciphertext, not pg_dump's PGDMP")
                .doesNotContain("PGDMP");
        assertThat(head[0] & 0x80).as("an OpenPGP packet").isEqualTo(0x80);
        var list = BackupApi.pgRestore("--list", dump.toString());
        assertThat(list.exit()).as("pg_restore cannot read the ciphertext").isNotZero();

        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "keys");
        try {
            var noKey = BackupApi.decrypt(dump, work.resolve("a.dump"), null);
            assertThat(noKey.exit()).isNotZero();
            assertThat(work.resolve("a.dump")).doesNotExist();
            byte[] otherKey = new byte[32];
            new java.security.SecureRandom().nextBytes(otherKey);
            var wrongKey = BackupApi.decrypt(
                    dump, work.resolve("b.dump"), java.util.Base64.getEncoder().encodeToString(otherKey));
            assertThat(wrongKey.exit()).isNotZero();
            assertThat(wrongKey.output()).contains("decryption failed");

            var rightKey = BackupApi.decrypt(dump, work.resolve("c.dump"), BackupApi.key());
            assertThat(rightKey.exit()).as(rightKey.output()).isZero();
            var listed = BackupApi.pgRestore("--list", work.resolve("c.dump").toString());
            assertThat(listed.exit()).isZero();
            assertThat(listed.output()).contains("TABLE DATA public invoices");
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(work);
        }
    }

    @Test
    void aDrillOfAChangedFileFailsAndTheBackupIsNotVerified() throws Exception {
        JsonObject backup = BackupApi.backup(base, "critical");
        Path dump = BackupApi.dumpFile(backup);
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 2] ^= 1;
        Files.write(dump, bytes);
        JsonObject drilled = BackupApi.verify(base, backup.getJsonNumber("id").longValue());
        assertThat(drilled.getString("status")).as(drilled.toString()).isEqualTo("SUCCEEDED");
        assertThat(drilled.getString("verifyFailure")).isNotBlank();
    }

    @Test
    void onlyOneBackupJobRunsAtATimeAcrossInstances() throws Exception {
        // Another instance's job holds the advisory lock: this one must refuse, not queue or run in parallel.
        try (Connection other = TestEnvironment.connect();
                var lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, 0x6170696E74616B65L);
            lock.execute();
            var answer = Http.postJson(base, "/api/v1/database/backups", "{\"kind\":\"full\"}");
            assertThat(answer.status()).as(answer.body()).isEqualTo(409);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.<JsonObject>json().getString("detail")).contains("only one runs at a time");
        }
        // Lock released with that session: backups start again.
        BackupApi.backup(base, "schema");
    }

    @Test
    void badRequestsAreProblems() {
        var bogus = Http.postJson(base, "/api/v1/database/backups", "{\"kind\":\"everything\"}");
        assertThat(bogus.status()).isEqualTo(400);
        assertThat(bogus.contentType()).startsWith("application/problem+json");
        assertThat(bogus.<JsonObject>json().getString("detail")).contains("full, schema, data, critical, base");

        var notJson = Http.postJson(base, "/api/v1/database/backups", "kind=full");
        assertThat(notJson.status()).isEqualTo(400);

        var missing = Http.get(base, "/api/v1/database/backups/987654321");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");

        var verifyMissing = Http.postJson(base, "/api/v1/database/backups/987654321/verify", "");
        assertThat(verifyMissing.status()).isEqualTo(404);

        assertThat(Http.get(base, "/api/v1/database/backups?limit=0").status()).isEqualTo(400);
        assertThat(Http.get(base, "/api/v1/database/backups?kind=nonsense").status())
                .isEqualTo(400);
    }

    @Test
    void theListShowsOnlyUsableBackupsWhenAsked() throws InterruptedException {
        BackupApi.backup(base, "schema");
        var usable = Http.get(base, "/api/v1/database/backups?usable=true").<jakarta.json.JsonArray>json();
        assertThat(usable).isNotEmpty();
        assertThat(usable.getValuesAs(JsonObject.class))
                .allSatisfy(b -> assertThat(b.getString("status")).isIn("SUCCEEDED", "VERIFIED"));
        var schemas =
                Http.get(base, "/api/v1/database/backups?kind=schema&limit=2").<jakarta.json.JsonArray>json();
        assertThat(schemas.getValuesAs(JsonObject.class))
                .hasSizeBetween(1, 2)
                .allSatisfy(b -> assertThat(b.getString("kind")).isEqualTo("schema"));
    }

    private static void assertCounts(String database, JsonObject backup) throws Exception {
        try (Connection connection = TestEnvironment.postgres().connect(database)) {
            for (JsonObject table : backup.getJsonArray("tables").getValuesAs(JsonObject.class)) {
                assertThat(BackupApi.count(connection, table.getString("table")))
                        .as(backup.getString("kind") + " restored " + table.getString("table"))
                        .isEqualTo(table.getJsonNumber("rows").longValue());
            }
        }
    }

    static String sha256(Path file) throws Exception {
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }
}
