package com.apintake.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the data generator loads an empty database the way PostgreSQL's own restore does it: the secondary
 * indexes of the loaded tables are set aside and built once at the end (exactly the definitions Liquibase
 * created, read back with pg_get_indexdef and compared before/after), the loading sessions skip the
 * foreign-key triggers (session_replication_role = replica: every child row is inserted from the
 * RETURNING of its invoice, so the keys hold by construction; the constraints themselves stay as they are),
 * checkpoints are spread out while loading (max_wal_size, checkpoint_timeout through ALTER SYSTEM and
 * reset afterwards) so each page goes to the WAL once instead of once more after every checkpoint, and
 * VACUUM (ANALYZE) runs at the end. With archive=pause the archive_command is replaced by a no-op for
 * the load (the archive then has a gap: take a base backup right after).
 */
final class BulkLoad implements AutoCloseable {

    /** The tables the generator fills (vendors is small and keeps its indexes). */
    static final List<String> LOADED =
            List.of("invoices", "invoice_extractions", "validations", "exceptions", "staged_exports");

    /** Every index of the schema with its definition and validity: must read the same before and after. */
    static final String ALL_INDEXES = """
            SELECT c.relname || ': ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema()
            ORDER BY 1""";

    /**
     * The loaded tables' indexes that no constraint uses (primary keys and UNIQUE constraints stay: they
     * grow at their end as ids rise); on a partitioned table the parent's index, which brings its
     * partitions' indexes along when dropped and when created again.
     */
    static final String SET_ASIDE = """
            SELECT c.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY (?) AND NOT c.relispartition
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY pg_relation_size(t.oid) DESC, c.relname""";

    /**
     * The partitions' indexes made by CREATE INDEX on the partitioned table get PostgreSQL's generated
     * names; partition_setup (Liquibase 160) gives them the names every partition's indexes carry.
     */
    static final String NAME_PARTITION_INDEXES = """
            SELECT partition_setup(i.inhparent::regclass, i.inhrelid::regclass)
            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relkind = 'p' AND p.relname = ANY (ARRAY['validations', 'invoice_extractions'])""";

    /** Loading settings, and what the server file said before (null: not set by ALTER SYSTEM). */
    private final Map<String, String> previous = new LinkedHashMap<>();

    private final Connection connection;
    private final Map<String, String> setAside = new LinkedHashMap<>();
    private List<String> indexesBefore = List.of();

    BulkLoad(Connection connection) {
        this.connection = connection;
    }

    /** Whether the loaded tables are all empty: only then are indexes set aside (nobody else's rows to serve). */
    boolean tablesEmpty() throws SQLException {
        for (String table : LOADED) {
            try (var rows =
                    connection.createStatement().executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
                rows.next();
                if (!rows.getBoolean(1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether finished WAL segments are copied to an archive (archive_mode on with a command). */
    boolean archiving() throws SQLException {
        try (var rows = connection.createStatement().executeQuery("""
                SELECT current_setting('archive_mode') <> 'off' AND current_setting('archive_command') NOT IN ('', 'true', '/bin/true')""")) {
            rows.next();
            return rows.getBoolean(1);
        }
    }

    /** Spreads checkpoints out for the load; with pauseArchive the archive_command becomes a no-op. */
    void loadingSettings(String maxWalSize, boolean pauseArchive) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_wal_size", maxWalSize);
        settings.put("checkpoint_timeout", "1h");
        if (pauseArchive) {
            settings.put("archive_command", "true");
        }
        for (var setting : settings.entrySet()) {
            previous.put(setting.getKey(), autoConf(setting.getKey()));
            alterSystem(setting.getKey(), setting.getValue());
        }
        reload();
    }

    /** Drops the secondary indexes of the (empty) loaded tables, remembering their definitions. */
    void setIndexesAside() throws SQLException {
        indexesBefore = allIndexes();
        try (var query = connection.prepareStatement(SET_ASIDE)) {
            query.setArray(1, connection.createArrayOf("text", LOADED.toArray()));
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    setAside.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (String index : setAside.keySet()) {
                statement.execute("DROP INDEX " + quote(index));
            }
        }
    }

    /** The definitions set aside (index name to CREATE INDEX statement). */
    Map<String, String> setAside() {
        return setAside;
    }

    /** What each loading session sets: no foreign-key triggers (the generator's keys hold by construction). */
    static void prepareSession(Statement statement) throws SQLException {
        statement.execute("SET session_replication_role = replica");
    }

    /**
     * Builds the indexes set aside again on {@code sessions} connections at once (the largest table's
     * first), and checks that the schema's indexes read exactly as before (names, definitions,
     * validity). Returns the seconds per index.
     */
    Map<String, Double> rebuildIndexes(int sessions, ApHistory.Sessions opener) throws Exception {
        Map<String, Double> seconds = new java.util.concurrent.ConcurrentHashMap<>();
        var queue = new java.util.concurrent.ConcurrentLinkedQueue<>(setAside.entrySet());
        inParallel(sessions, opener, statement -> {
            statement.execute("SET maintenance_work_mem = '512MB'");
            for (var index = queue.poll(); index != null; index = queue.poll()) {
                long start = System.nanoTime();
                statement.execute(onPartitions(index.getValue()));
                seconds.put(index.getKey(), (System.nanoTime() - start) / 1e9);
            }
        });
        setAside.clear();
        try (Statement statement = connection.createStatement()) {
            statement.execute(NAME_PARTITION_INDEXES);
        }
        List<String> after = allIndexes();
        if (!after.equals(indexesBefore)) {
            var missing = new ArrayList<>(indexesBefore);
            missing.removeAll(after);
            var extra = new ArrayList<>(after);
            extra.removeAll(indexesBefore);
            throw new IllegalStateException("indexes differ after the load: missing " + missing + ", new " + extra);
        }
        return new java.util.TreeMap<>(seconds);
    }

    /**
     * VACUUM (ANALYZE) of the loaded tables, one table per session at a time: the visibility map for
     * index-only scans, statistics for the planner.
     */
    void vacuumAnalyze(int sessions, ApHistory.Sessions opener) throws Exception {
        var queue = new java.util.concurrent.ConcurrentLinkedQueue<>(
                List.of("validations", "invoice_extractions", "invoices", "staged_exports", "exceptions", "vendors"));
        inParallel(sessions, opener, statement -> {
            for (var table = queue.poll(); table != null; table = queue.poll()) {
                statement.execute("VACUUM (ANALYZE) " + table);
            }
        });
    }

    /**
     * While the load runs, the application's rollup drains (Rollups.TRY_LOCK, the same advisory key)
     * skip their turn instead of scanning tables that have no indexes yet; the rollups are rebuilt after.
     */
    void holdRollupDrains() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(hashtext('apintake.analytics.rollups'))");
        }
        holdingDrains = true;
    }

    private boolean holdingDrains;

    @FunctionalInterface
    interface Work {
        void run(Statement statement) throws SQLException;
    }

    private static void inParallel(int sessions, ApHistory.Sessions opener, Work work) throws Exception {
        var failure = new java.util.concurrent.atomic.AtomicReference<Exception>();
        var threads = new ArrayList<Thread>();
        for (int s = 0; s < sessions; s++) {
            Thread thread = new Thread(() -> {
                try (Connection session = opener.open();
                        Statement statement = session.createStatement()) {
                    session.setAutoCommit(true);
                    work.run(statement);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    int indexCount() throws SQLException {
        return allIndexes().size();
    }

    /**
     * Puts back what is left: indexes not yet rebuilt (after a failure) and the server settings as they
     * were in postgresql.auto.conf.
     */
    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        try (Statement statement = connection.createStatement()) {
            for (var index : setAside.entrySet()) {
                try (var exists = statement.executeQuery(
                        "SELECT to_regclass('" + quote(index.getKey()).replace("'", "''") + "') IS NOT NULL")) {
                    exists.next();
                    if (exists.getBoolean(1)) {
                        continue;
                    }
                }
                try {
                    statement.execute(onPartitions(index.getValue()));
                } catch (SQLException e) {
                    System.err.println("could not build " + index.getKey() + " again; run: " + index.getValue());
                    failure = e;
                }
            }
            if (!setAside.isEmpty()) {
                statement.execute(NAME_PARTITION_INDEXES);
            }
        }
        for (var setting : previous.entrySet()) {
            if (setting.getValue() == null) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("ALTER SYSTEM RESET " + setting.getKey());
                }
            } else {
                alterSystem(setting.getKey(), setting.getValue());
            }
        }
        if (!previous.isEmpty()) {
            reload();
        }
        if (holdingDrains) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_unlock(hashtext('apintake.analytics.rollups'))");
            }
            holdingDrains = false;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private List<String> allIndexes() throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (var rows = connection.createStatement().executeQuery(ALL_INDEXES)) {
            while (rows.next()) {
                indexes.add(rows.getString(1));
            }
        }
        return indexes;
    }

    private String autoConf(String name) throws SQLException {
        try (var query = connection.prepareStatement("""
                SELECT setting FROM pg_file_settings
                WHERE name = ? AND sourcefile LIKE '%postgresql.auto.conf' AND applied IS NOT NULL
                ORDER BY seqno DESC LIMIT 1""")) {
            query.setString(1, name);
            try (var rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private void alterSystem(String name, String value) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET " + name + " = '" + value.replace("'", "''") + "'");
        }
    }

    private void reload() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * pg_get_indexdef writes a partitioned table's index as "ON ONLY", which would build the parent's
     * index alone (invalid, no partition indexes); without ONLY every partition gets its index.
     */
    static String onPartitions(String definition) {
        return definition.replaceFirst(" ON ONLY ", " ON ");
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
