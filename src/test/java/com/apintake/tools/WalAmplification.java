package com.apintake.tools;

import com.apintake.platform.control.Migrations;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * Measures how much WAL a bulk load by the data generator (the same {@link ApHistory} as
 * scripts/generate-data.sh) writes and archives, against the growth of the database: a fresh PostgreSQL
 * 15 under target/wal-amplification with WAL archiving on (settings of the test server), the schema
 * applied, then N invoices generated, the last segment switched and archived. Run with
 * scripts/measure-wal-amplification.sh 100k. A measurement program, not a test.
 */
public final class WalAmplification {

    private WalAmplification() {}

    public static void main(String[] args) throws Exception {
        long invoices = DataGenerator.parse(args.length == 1 ? args[0] : "100k");
        Path work = Path.of("target/wal-amplification").toAbsolutePath();
        Folders.deleteRecursively(work);
        var postgres = new PostgresServer(work.resolve("data"), PayaraMicroLaunch.freePort(), "postgres", null)
                .walArchive(work.resolve("wal-archive"));
        postgres.start();
        try {
            postgres.createDatabaseIfMissing("ap_intake");
            try (Connection connection = postgres.connect("ap_intake")) {
                migrate(connection);
                connection.setAutoCommit(true);
                long walBefore = lsn(connection);
                long sizeBefore = databaseSize(connection);
                awaitArchived(connection, postgres.walArchive());
                long archiveBefore = folderBytes(postgres.walArchive());
                Instant start = Instant.now();
                new ApHistory(connection, 100_000).generate(invoices, done -> {});
                double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
                long walBytes = lsn(connection) - walBefore;
                long growth = databaseSize(connection) - sizeBefore;
                awaitArchived(connection, postgres.walArchive());
                long archived = folderBytes(postgres.walArchive()) - archiveBefore;
                System.out.printf(
                        Locale.ROOT,
                        "%,d invoices in %.1f s: database grew %,d MB, WAL written %,d MB (%.1fx), archived %,d MB (%.1fx)%n",
                        invoices,
                        seconds,
                        growth >> 20,
                        walBytes >> 20,
                        (double) walBytes / growth,
                        archived >> 20,
                        (double) archived / growth);
            }
        } finally {
            postgres.stop();
            Folders.deleteRecursively(work);
        }
    }

    private static long lsn(Connection connection) throws Exception {
        try (var rows = connection
                .createStatement()
                .executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long databaseSize(Connection connection) throws Exception {
        try (var rows = connection.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Switches to a new segment and waits until the archiver has stored the one before it. */
    private static void awaitArchived(Connection connection, Path archive) throws Exception {
        String segment;
        try (var rows = connection.createStatement().executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rows.next();
            segment = rows.getString(1);
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (!Files.exists(archive.resolve(segment)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
    }

    private static long folderBytes(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                total += Files.size(file);
            }
            return total;
        }
    }

    private static void migrate(Connection connection) throws Exception {
        var database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        Scope.child(
                Map.of(
                        Scope.Attr.resourceAccessor.name(),
                        new ClassLoaderResourceAccessor(WalAmplification.class.getClassLoader()),
                        "liquibase.analytics.enabled",
                        false),
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, Migrations.CHANGELOG)
                        .execute());
    }
}
