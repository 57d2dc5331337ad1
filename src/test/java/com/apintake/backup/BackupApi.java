package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Commands;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the backup integration tests share: the API as curl would use it, the client tools, a few rows of data. */
final class BackupApi {

    static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private BackupApi() {}

    static long start(URL base, String kind) {
        var answer = Http.postJson(base, "/api/v1/database/backups", "{\"kind\":\"" + kind + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.<JsonObject>json().getJsonNumber("id").longValue();
    }

    static JsonObject get(URL base, long id) {
        var answer = Http.get(base, "/api/v1/database/backups/" + id);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    /** Polls until the backup leaves RUNNING (and no job runs on it any more). */
    static JsonObject await(URL base, long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            JsonObject backup = get(base, id);
            if (!backup.getString("status").equals("RUNNING") && !backup.containsKey("progress")) {
                return backup;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("backup " + id + " still running after 3 minutes: " + get(base, id));
    }

    static JsonObject backup(URL base, String kind) throws InterruptedException {
        JsonObject done = await(base, start(base, kind));
        assertThat(done.getString("status")).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }

    static JsonObject verify(URL base, long id) throws InterruptedException {
        var answer = Http.postJson(base, "/api/v1/database/backups/" + id + "/verify", "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return await(base, id);
    }

    static Path dumpFile(JsonObject backup) {
        return Path.of(backup.getString("directory"))
                .resolve(backup.getJsonArray("files").getJsonObject(0).getString("name"));
    }

    /** The test key from the pom (failsafe puts it in the environment the Payara Micro under test inherits). */
    static String key() {
        return System.getenv("BACKUP_ENCRYPTION_KEY");
    }

    /**
     * Decrypts with the stock gpg binary, as docs/backups-restore.md says: the key's text in a 0600 file
     * given to --passphrase-file. key null: no passphrase at all (gpg must refuse in batch mode).
     * Decrypting needs no gpg-agent (--no-autostart), so nothing is left running.
     */
    static Commands.Result decrypt(Path encrypted, Path plain, String key) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(gpg(key));
        command.addAll(List.of("--output", plain.toString(), "--decrypt", encrypted.toString()));
        return run(command, Map.of());
    }

    /** gpg --decrypt FILE | pg_restore ARGS: exactly the pipe an operator types. */
    static Commands.Result decryptIntoPgRestore(Path encrypted, String... pgRestoreArguments)
            throws IOException, InterruptedException {
        List<String> gpg = new ArrayList<>(gpg(key()));
        gpg.addAll(List.of("--decrypt", encrypted.toString()));
        List<String> restore = new ArrayList<>(List.of(PG_BIN + "/pg_restore"));
        restore.addAll(List.of(pgRestoreArguments));
        return Commands.pipe(gpg, restore, connection(), TIMEOUT);
    }

    /** gpg's options for a batch decryption with a home folder of its own and the key in a private file. */
    static List<String> gpg(String key) throws IOException {
        Path home = Path.of(System.getProperty("apintake.basedir"), "target/it/gnupg");
        if (!java.nio.file.Files.isDirectory(home)) {
            java.nio.file.Files.createDirectories(home);
        }
        java.nio.file.Files.setPosixFilePermissions(
                home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        List<String> command = new ArrayList<>(List.of(
                "gpg",
                "--homedir",
                home.toString(),
                "--batch",
                "--quiet",
                "--no-autostart",
                "--pinentry-mode",
                "loopback"));
        if (key != null) {
            Path file = home.resolve("key-" + Integer.toHexString(key.hashCode()));
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.createFile(
                    file,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, key + "\n");
            command.addAll(List.of("--passphrase-file", file.toString()));
        }
        return command;
    }

    static Commands.Result pgRestore(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PG_BIN + "/pg_restore"));
        command.addAll(List.of(arguments));
        return run(command, connection());
    }

    static Map<String, String> connection() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", "127.0.0.1");
        environment.put("PGPORT", Integer.toString(TestEnvironment.postgres().port()));
        environment.put("PGUSER", TestEnvironment.USER);
        return environment;
    }

    /** Runs a tool and waits (at most five minutes); the key is never in its environment. */
    static Commands.Result run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        return Commands.run(command, environment, TIMEOUT);
    }

    /** A few rows in every critical table, so counts and checksums have something to compare. */
    static void seed(String marker, int invoices) throws Exception {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO vendors (name) VALUES ('" + marker + " vendor')");
            statement.execute("""
                    INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, vendor_id, invoice_number, total_gross)
                    SELECT encode(sha256(('%1$s' || g)::bytea), 'hex'), '%1$s-' || g || '.xml', 'application/xml', 1000 + g,
                           (SELECT max(id) FROM vendors), '%1$s-' || g, g * 10.5
                    FROM generate_series(1, %2$d) g""".formatted(marker, invoices));
            statement.execute("""
                    INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json)
                    SELECT id, 'UBL', jsonb_build_object('number', invoice_number), '{"overall": 0.93}'
                    FROM invoices WHERE original_filename LIKE '%1$s-%%'""".formatted(marker));
            statement.execute("""
                    INSERT INTO validations (invoice_id, rule_code, passed, detail)
                    SELECT id, 'BR-CO-15', id %% 3 <> 0, 'seeded' FROM invoices WHERE original_filename LIKE '%1$s-%%'""".formatted(marker));
            statement.execute("""
                    INSERT INTO exceptions (invoice_id, type, detail)
                    SELECT id, 'TOTALS_MISMATCH', 'seeded' FROM invoices WHERE original_filename LIKE '%1$s-%%' AND id %% 4 = 0""".formatted(marker));
            statement.execute("""
                    INSERT INTO staged_exports (invoice_id)
                    SELECT id FROM invoices WHERE original_filename LIKE '%1$s-%%' AND id %% 5 = 0""".formatted(marker));
        }
    }

    static long count(Connection connection, String table) throws Exception {
        try (var rows = connection.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
