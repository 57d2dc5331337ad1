package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.backup.control.ArchiveCheck;
import com.apintake.backup.control.BackupKey;
import com.apintake.backup.control.CriticalTables;
import com.apintake.backup.control.DatabaseEndpoint;
import com.apintake.backup.control.LogicalDump;
import com.apintake.backup.control.PgRestore;
import com.apintake.backup.control.PostgresTools;
import com.apintake.backup.control.RestoreDrill;
import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.BackupStatus;
import com.apintake.testsupport.Commands;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The directory-format option (apintake.backup.format=directory) and partitioned critical tables, on the
 * test PostgreSQL with the backup's own control classes (no application server needed: the format is a
 * setting of the shared test server that the other backup tests rely on as custom). A database of its own
 * with an ordinary table and a table partitioned by range in two partitions.
 */
class DirectoryFormatBackupIT {

    static final String DATABASE = "ap_intake_dirfmt";
    static final String RESTORED = "ap_intake_dirfmt_by_hand";

    Path work;
    DatabaseEndpoint endpoint;
    PostgresTools tools;
    BackupKey key;
    CriticalTables critical;

    @BeforeEach
    void database() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.dropDatabaseIfExists(RESTORED);
        postgres.dropDatabaseIfExists(DATABASE);
        postgres.createDatabaseIfMissing(DATABASE);
        try (Connection connection = postgres.connect(DATABASE);
                var statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE ledger AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 5000) g");
            statement.execute(
                    "CREATE TABLE checks (id bigint, at date NOT NULL, passed boolean) PARTITION BY RANGE (at)");
            statement.execute(
                    "CREATE TABLE checks_2025 PARTITION OF checks FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
            statement.execute(
                    "CREATE TABLE checks_2026 PARTITION OF checks FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
            statement.execute(
                    "INSERT INTO checks SELECT g, DATE '2025-06-01' + (g % 400), g % 3 <> 0 FROM generate_series(1, 4000) g");
        }
        work = Path.of(System.getProperty("apintake.basedir"), "target/it/dirfmt");
        Folders.deleteRecursively(work);
        Files.createDirectories(work);
        endpoint = new DatabaseEndpoint("127.0.0.1", postgres.port(), DATABASE, TestEnvironment.USER, null, Map.of());
        tools = new PostgresTools(Path.of(BackupApi.PG_BIN), System.getenv("PATH"));
        key = BackupKey.of(BackupApi.key());
        critical = CriticalTables.parse("ledger,checks");
    }

    @AfterEach
    void dropIt() throws Exception {
        TestEnvironment.postgres().dropDatabaseIfExists(RESTORED);
        TestEnvironment.postgres().dropDatabaseIfExists(DATABASE);
        Folders.deleteRecursively(work);
    }

    @Test
    void aDirectoryFormatBackupIsOneEncryptedFilePerPartAndRestoresWithGpgAndParallelPgRestore() throws Exception {
        Path directory = Files.createDirectories(work.resolve("full"));
        LogicalDump.Result result = dump(BackupKind.FULL, directory, 2);

        List<String> names = result.files().stream().map(BackupFile::name).toList();
        assertThat(names).contains(DATABASE + ".dir/toc.dat.gpg").endsWith("roles.sql.gpg");
        assertThat(names.subList(0, names.size() - 1))
                .allMatch(name -> name.startsWith(DATABASE + ".dir/") && name.endsWith(".gpg"));
        try (var left = Files.list(directory)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("no plain folder left behind")
                    .containsExactlyInAnyOrder(DATABASE + ".dir", "roles.sql.gpg");
        }
        assertThat(result.dataTables().get("checks")).containsExactly("public.checks_2025", "public.checks_2026");
        ArchiveCheck.check(directory, result.files(), result.tableOfContents(), result.tables(), result.dataTables());
        for (BackupFile file : result.files()) {
            assertThat(ArchiveCheck.sha256(directory.resolve(file.name())))
                    .as("manifest hash of " + file.name())
                    .isEqualTo(file.sha256());
        }

        // By hand, as docs/backups-restore.md says: gpg --decrypt every file into a folder, then pg_restore -j.
        Path opened = Files.createDirectories(work.resolve("opened"));
        for (BackupFile file : result.files()) {
            if (!LogicalDump.inDumpDirectory(file.name())) {
                continue;
            }
            String plain = Path.of(file.name()).getFileName().toString().replaceFirst("\\.gpg$", "");
            var decrypted = BackupApi.decrypt(directory.resolve(file.name()), opened.resolve(plain), BackupApi.key());
            assertThat(decrypted.exit()).as(decrypted.output()).isZero();
        }
        TestEnvironment.postgres().createDatabaseIfMissing(RESTORED);
        var restored = Commands.run(
                List.of(
                        BackupApi.PG_BIN + "/pg_restore",
                        "--dbname=" + RESTORED,
                        "--no-owner",
                        "--exit-on-error",
                        "--jobs=2",
                        opened.toString()),
                BackupApi.connection(),
                BackupApi.TIMEOUT);
        assertThat(restored.exit()).as(restored.output()).isZero();
        try (Connection connection = TestEnvironment.postgres().connect(RESTORED)) {
            assertThat(BackupApi.count(connection, "ledger")).isEqualTo(5000);
            assertThat(BackupApi.count(connection, "checks")).isEqualTo(4000);
            assertThat(BackupApi.count(connection, "checks_2026")).isPositive();
        }

        // The drill does the same (decrypt each file with its hash checked, pg_restore --jobs) and compares.
        Backup backup = backup(BackupKind.FULL, directory, result);
        var drill =
                new RestoreDrill(new PgRestore(tools, key), endpoint, Duration.ofMinutes(5), 2).run(backup, directory);
        assertThat(drill.restored()).isEqualTo(result.tables());
        try (var left = Files.list(directory)) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain(".drill-7");
        }

        // One changed byte in one part: the drill fails on its hash (or gpg's integrity check).
        Path part =
                directory.resolve(result.files().get(result.files().size() - 2).name());
        byte[] bytes = Files.readAllBytes(part);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(part, bytes);
        assertThatThrownBy(() -> new RestoreDrill(new PgRestore(tools, key), endpoint, Duration.ofMinutes(5), 2)
                        .run(backup, directory))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aCriticalBackupHoldsThePartitionsOfAPartitionedTable() throws Exception {
        Path directory = Files.createDirectories(work.resolve("critical"));
        LogicalDump.Result result = dump(BackupKind.CRITICAL, directory, 0);

        assertThat(result.tableOfContents())
                .anyMatch(line -> line.contains("TABLE DATA public checks_2025 "))
                .anyMatch(line -> line.contains("TABLE DATA public checks_2026 "))
                .anyMatch(line -> line.contains("TABLE DATA public ledger "));
        ArchiveCheck.check(directory, result.files(), result.tableOfContents(), result.tables(), result.dataTables());
        var drill = new RestoreDrill(new PgRestore(tools, key), endpoint, Duration.ofMinutes(5))
                .run(backup(BackupKind.CRITICAL, directory, result), directory);
        assertThat(drill.restored()).isEqualTo(result.tables());
        assertThat(drill.restored().get(1).rows()).isEqualTo(4000);
    }

    private LogicalDump.Result dump(BackupKind kind, Path directory, int jobs) throws Exception {
        try (Connection holder = endpoint.connect()) {
            return new LogicalDump(tools, endpoint, key, critical, Duration.ofMinutes(5), 60, jobs)
                    .dump(kind, holder, directory, pid -> {}, bytes -> {});
        }
    }

    private static Backup backup(BackupKind kind, Path directory, LogicalDump.Result result) {
        return new Backup(
                7,
                kind,
                BackupStatus.SUCCEEDED,
                "test",
                directory.toString(),
                true,
                Instant.now(),
                Instant.now(),
                0L,
                result.sizeBytes(),
                DATABASE,
                result.serverVersion(),
                result.toolVersion(),
                new ArrayList<>(result.files()),
                result.tables(),
                null,
                null,
                null,
                null,
                null);
    }
}
