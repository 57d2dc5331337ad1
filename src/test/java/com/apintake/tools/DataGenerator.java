package com.apintake.tools;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;

/**
 * Fills an ap-intake database with a realistic AP history (see {@link ApHistory}).
 * Run through scripts/generate-data.sh; connection from DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD
 * (defaults: the ./run.sh database). The schema must exist (start the app once, or mvn liquibase:update).
 */
public final class DataGenerator {

    private DataGenerator() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].matches("\\d+[kKmM]?")) {
            System.err.println("usage: scripts/generate-data.sh <invoices>   e.g. 100k, 1m, 10m or 250000");
            System.exit(2);
        }
        long invoices = parse(args[0]);
        String url = "jdbc:postgresql://" + env("DB_HOST", "127.0.0.1") + ":" + env("DB_PORT", "5433") + "/"
                + env("DB_NAME", "ap_intake");
        Properties properties = new Properties();
        properties.setProperty("user", env("DB_USER", "postgres"));
        if (System.getenv("DB_PASSWORD") != null) {
            properties.setProperty("password", System.getenv("DB_PASSWORD"));
        }
        properties.setProperty("ApplicationName", "ap-intake-generator");
        Instant start = Instant.now();
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            System.out.printf(
                    Locale.ROOT,
                    "Generating %,d invoices (%,d vendors) into %s%n",
                    invoices,
                    ApHistory.vendorsFor(invoices),
                    url);
            long walBefore = walPosition(connection);
            long sizeBefore = databaseSize(connection);
            String archive = env("ARCHIVE", "keep");
            if (!archive.equals("keep") && !archive.equals("pause")) {
                System.err.println("ARCHIVE must be keep or pause");
                System.exit(2);
            }
            load(
                    connection,
                    () -> DriverManager.getConnection(url, properties),
                    invoices,
                    new Options(
                            !"0".equals(env("BULK", "1")),
                            Integer.parseInt(env("SESSIONS", "2")),
                            archive.equals("pause"),
                            env("LOAD_MAX_WAL_SIZE", "4GB")),
                    start);
            // A bulk load writes WAL that archiving keeps until a newer base backup exists (docs/backups-restore.md).
            long wal = walPosition(connection) - walBefore;
            long grown = databaseSize(connection) - sizeBefore;
            System.out.printf(
                    Locale.ROOT,
                    "WAL written: %,d MB for %,d MB of data (%.1fx). With WAL archiving on, take a base backup now"
                            + " (POST /api/v1/database/backups {\"kind\":\"base\"}) so retention can prune the archive.%n",
                    wal >> 20,
                    grown >> 20,
                    grown > 0 ? (double) wal / grown : Double.NaN);
        }
        double seconds = seconds(start);
        System.out.printf(
                Locale.ROOT,
                "Done: %,d invoices in %.1f s (%,.0f invoices/s, with extractions, validations,"
                        + " exceptions and staged exports)%n",
                invoices,
                seconds,
                invoices / seconds);
    }

    /**
     * How a load runs: bulk (allowed when the tables are empty), loading sessions, whether archiving
     * pauses during a bulk load, and max_wal_size meanwhile.
     */
    record Options(boolean bulk, int sessions, boolean pauseArchive, String maxWalSize) {}

    /**
     * Generates the invoices on connection: the bulk path ({@link BulkLoad}) when the loaded tables are
     * empty and options allow it, else rows added with every index and trigger in place.
     */
    static void load(Connection connection, ApHistory.Sessions opener, long invoices, Options options, Instant start)
            throws Exception {
        long walBefore = walPosition(connection);
        var bulk = new BulkLoad(connection);
        boolean archiving = bulk.archiving();
        boolean fresh = options.bulk() && bulk.tablesEmpty();
        int sessions = options.sessions();
        var progress = (java.util.function.LongConsumer)
                done -> System.out.printf(Locale.ROOT, "  %,12d invoices  %6.1f s%n", done, seconds(start));
        try (bulk) {
            if (fresh) {
                bulk.loadingSettings(options.maxWalSize(), archiving && options.pauseArchive());
                if (archiving) {
                    System.out.println(
                            options.pauseArchive()
                                    ? "WAL archiving paused for the load (archive_command = true): the archive has a gap"
                                            + " from now on; take a base backup when the load is done."
                                    : "WAL archiving stays on (ARCHIVE=keep): the archive grows by the WAL below.");
                }
                try (var statement = connection.createStatement()) {
                    ApHistory.createPartitions(statement);
                }
                bulk.setIndexesAside();
                bulk.holdRollupDrains();
                System.out.printf(
                        Locale.ROOT,
                        "Empty tables: %d indexes set aside until the end, foreign-key triggers off in the %d"
                                + " loading sessions%n",
                        bulk.setAside().size(),
                        sessions);
                new ApHistory(connection, 100_000)
                        .generateInParallel(invoices, sessions, opener, BulkLoad::prepareSession, progress);
                phase("rows loaded", start, connection, walBefore);
                for (var index : bulk.rebuildIndexes(sessions, opener).entrySet()) {
                    System.out.printf(Locale.ROOT, "    %-45s %6.1f s%n", index.getKey(), index.getValue());
                }
                phase(
                        "indexes built (" + bulk.indexCount() + " indexes, same definitions as before)",
                        start,
                        connection,
                        walBefore);
                bulk.vacuumAnalyze(sessions, opener);
                phase("VACUUM (ANALYZE)", start, connection, walBefore);
            } else {
                System.out.println("Tables not empty (or BULK=0): adding rows with every index and trigger in place.");
                new ApHistory(connection, 100_000).generate(invoices, progress);
            }
        }
    }

    private static double seconds(Instant start) {
        return Duration.between(start, Instant.now()).toMillis() / 1000.0;
    }

    private static void phase(String name, Instant start, Connection connection, long walBefore)
            throws java.sql.SQLException {
        System.out.printf(
                Locale.ROOT,
                "  %-60s at %7.1f s, WAL so far %,d MB%n",
                name,
                seconds(start),
                (walPosition(connection) - walBefore) >> 20);
    }

    static long parse(String count) {
        String lower = count.toLowerCase(Locale.ROOT);
        if (lower.endsWith("k")) {
            return Long.parseLong(lower.substring(0, lower.length() - 1)) * 1_000;
        }
        if (lower.endsWith("m")) {
            return Long.parseLong(lower.substring(0, lower.length() - 1)) * 1_000_000;
        }
        return Long.parseLong(lower);
    }

    private static long walPosition(Connection connection) throws java.sql.SQLException {
        try (var rows = connection
                .createStatement()
                .executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long databaseSize(Connection connection) throws java.sql.SQLException {
        try (var rows = connection.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
