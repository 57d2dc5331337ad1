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
import com.apintake.backup.entity.TableCount;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the restore drill still proves now that a backup records exact row counts instead of a checksum of
 * every row (apintake.backup.critical-checksums off, the default): it fails on a restore that lacks rows, on a
 * truncated archive (even when the manifest's hash was made to match it), and, with the opt-in checksums, on
 * changed contents with equal counts. On the test PostgreSQL with the backup's control classes (no server
 * needed), on a database of its own.
 */
class RestoreDrillIT {

    static final String DATABASE = "ap_intake_drillcheck";

    Path work;
    DatabaseEndpoint endpoint;
    PostgresTools tools;
    BackupKey key;

    @BeforeEach
    void database() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.dropDatabaseIfExists(DATABASE);
        postgres.createDatabaseIfMissing(DATABASE);
        try (Connection connection = postgres.connect(DATABASE);
                var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, note text NOT NULL)");
            statement.execute("INSERT INTO ledger SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
            statement.execute(
                    "CREATE TABLE notes AS SELECT g AS id, 'note ' || g AS body FROM generate_series(1, 300) g");
            statement.execute("VACUUM ANALYZE ledger");
        }
        work = Path.of(System.getProperty("apintake.basedir"), "target/it/drillcheck");
        Folders.deleteRecursively(work);
        Files.createDirectories(work);
        endpoint = new DatabaseEndpoint("127.0.0.1", postgres.port(), DATABASE, TestEnvironment.USER, null, Map.of());
        tools = new PostgresTools(Path.of(BackupApi.PG_BIN), System.getenv("PATH"));
        key = BackupKey.of(BackupApi.key());
    }

    @AfterEach
    void dropIt() throws Exception {
        TestEnvironment.postgres().dropDatabaseIfExists(RestoreDrill.scratchDatabase(11));
        TestEnvironment.postgres().dropDatabaseIfExists(DATABASE);
        Folders.deleteRecursively(work);
    }

    @Test
    void theDrillComparesExactCountsAndFailsOnARestoreThatLacksRows() throws Exception {
        Path first = Files.createDirectories(work.resolve("first"));
        LogicalDump.Result complete = dump(CriticalTables.parse("ledger,notes"), key, first);
        assertThat(complete.tables())
                .containsExactly(new TableCount("ledger", 5000, null), new TableCount("notes", 300, null));
        assertThat(complete.phaseMillis()).containsKeys("snapshot", "pg_dump", "critical counts", "roles");
        ArchiveCheck.check(first, complete.files(), complete.tableOfContents(), complete.tables());

        var drill = drill(key).run(backup(first, complete, complete.tables(), true), first);
        assertThat(drill.restored()).isEqualTo(complete.tables());
        assertThat(drill.phaseMillis()).containsKeys("create database", "pg_restore", "critical counts");

        // An archive that lacks ten rows of ledger, drilled against the manifest of the complete one: the drill
        // names the table and both counts, though the archive itself is intact and pg_restore succeeds.
        delete("DELETE FROM ledger WHERE id <= 10");
        Path second = Files.createDirectories(work.resolve("second"));
        LogicalDump.Result short10 = dump(CriticalTables.parse("ledger,notes"), key, second);
        assertThatThrownBy(() -> drill(key).run(backup(second, short10, complete.tables(), true), second))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ledger: 5000 rows in the backup, 4990 restored");
    }

    @Test
    void aTruncatedArchiveFailsTheDrillEvenWhenTheManifestHashWasMadeToMatch() throws Exception {
        for (BackupKey encryption : Arrays.asList(key, null)) {
            Path directory = Files.createDirectories(work.resolve(encryption == null ? "plain" : "sealed"));
            LogicalDump.Result result = dump(CriticalTables.parse("ledger,notes"), encryption, directory);
            Path archive = directory.resolve(result.files().get(0).name());
            byte[] bytes = Files.readAllBytes(archive);
            Files.write(archive, Arrays.copyOf(bytes, bytes.length * 2 / 3));

            Backup asRecorded = backup(directory, result, result.tables(), encryption != null);
            assertThatThrownBy(() -> drill(encryption).run(asRecorded, directory))
                    .as("truncated, %s", encryption == null ? "plain" : "encrypted")
                    .isInstanceOf(IOException.class);

            // Someone "fixed" the manifest to the truncated file: pg_restore (plain) or the OpenPGP integrity
            // check (encrypted) still refuses it.
            List<BackupFile> rewritten = new ArrayList<>(result.files());
            rewritten.set(
                    0, new BackupFile(result.files().get(0).name(), Files.size(archive), ArchiveCheck.sha256(archive)));
            Backup doctored = new Backup(
                    11,
                    BackupKind.FULL,
                    BackupStatus.SUCCEEDED,
                    "test",
                    directory.toString(),
                    encryption != null,
                    Instant.now(),
                    Instant.now(),
                    0L,
                    result.sizeBytes(),
                    DATABASE,
                    result.serverVersion(),
                    result.toolVersion(),
                    rewritten,
                    result.tables(),
                    null,
                    null,
                    null,
                    null,
                    null);
            assertThatThrownBy(() -> drill(encryption).run(doctored, directory))
                    .as("truncated with a matching hash, %s", encryption == null ? "plain" : "encrypted")
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SHA-256"));
        }
    }

    @Test
    void rowChecksumsAreAnOptInThatSeesChangedContentsWithEqualCounts() throws Exception {
        Path first = Files.createDirectories(work.resolve("first"));
        LogicalDump.Result checksummed = dump(CriticalTables.parse("ledger,notes", true), key, first);
        assertThat(checksummed.tables())
                .allSatisfy(table -> assertThat(table.checksum()).isNotBlank());
        var drill = drill(key).run(backup(first, checksummed, checksummed.tables(), true), first);
        assertThat(drill.restored()).isEqualTo(checksummed.tables());

        // Same number of rows, one value changed: the checksums differ, the counts cannot tell.
        delete("UPDATE ledger SET note = 'changed' WHERE id = 42");
        Path second = Files.createDirectories(work.resolve("second"));
        LogicalDump.Result changed = dump(CriticalTables.parse("ledger,notes"), key, second);
        assertThatThrownBy(() -> drill(key).run(backup(second, changed, checksummed.tables(), true), second))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ledger: same row count but different contents (checksum)");
        List<TableCount> countsOnly = checksummed.tables().stream()
                .map(table -> new TableCount(table.table(), table.rows(), null))
                .toList();
        assertThat(drill(key)
                        .run(backup(second, changed, countsOnly, true), second)
                        .restored())
                .as("without checksums a changed value with equal counts passes: what the opt-in is for")
                .isEqualTo(countsOnly);
    }

    private void delete(String sql) throws Exception {
        try (Connection connection = TestEnvironment.postgres().connect(DATABASE);
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private LogicalDump.Result dump(CriticalTables critical, BackupKey encryption, Path directory) throws Exception {
        try (Connection holder = endpoint.connect()) {
            return new LogicalDump(tools, endpoint, encryption, critical, Duration.ofMinutes(5), 60)
                    .dump(BackupKind.FULL, holder, directory, pid -> {}, bytes -> {});
        }
    }

    private RestoreDrill drill(BackupKey encryption) {
        return new RestoreDrill(new PgRestore(tools, encryption), endpoint, Duration.ofMinutes(5));
    }

    private static Backup backup(
            Path directory, LogicalDump.Result result, List<TableCount> tables, boolean encrypted) {
        return new Backup(
                11,
                BackupKind.FULL,
                BackupStatus.SUCCEEDED,
                "test",
                directory.toString(),
                encrypted,
                Instant.now(),
                Instant.now(),
                0L,
                result.sizeBytes(),
                DATABASE,
                result.serverVersion(),
                result.toolVersion(),
                new ArrayList<>(result.files()),
                tables,
                null,
                null,
                null,
                null,
                null);
    }
}
