package com.apintake.backup.control;

import com.apintake.backup.entity.TableCount;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The tables whose loss would hurt most (apintake.backup.critical-tables): dumped on their own by the
 * "critical" kind, and counted exactly in every backup's snapshot so a restore drill can prove the
 * restored copy holds every row that was dumped. A checksum of every row's text is an opt-in
 * (apintake.backup.critical-checksums): it reads every row once more beside pg_dump and again after the
 * drill's restore, which made a full backup cost 1.4x a raw pg_dump (docs/backups-restore.md); the
 * archive's SHA-256 (computed while it is written), pg_restore's exit and the table of contents already
 * catch a damaged archive, and the exact counts a restore that lost rows.
 */
public final class CriticalTables {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    /**
     * Row count and an order-independent checksum: the sum of the first 60 bits of each row's md5. The
     * row text covers every column (key columns included); the caller's session is in UTC so
     * timestamps print the same on the live and the restored database.
     */
    static final String COUNT_AND_CHECKSUM =
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text FROM %s t";

    /**
     * The exact row count alone: on a vacuumed table PostgreSQL answers it with an index-only scan of the
     * smallest index (or a parallel sequential scan), reading no row text; null stands for "no checksum".
     */
    static final String COUNT = "SELECT count(*), NULL::text FROM %s t";

    private final List<String> tables;
    private final boolean checksums;

    public CriticalTables(List<String> tables) {
        this(tables, false);
    }

    /** checksums: also an md5-based checksum of every row (apintake.backup.critical-checksums). */
    public CriticalTables(List<String> tables, boolean checksums) {
        this.checksums = checksums;
        for (String table : tables) {
            if (!NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("not a plain lower-case table name: '" + table + "'");
            }
        }
        this.tables = List.copyOf(tables);
    }

    public static CriticalTables parse(String commaSeparated) {
        return parse(commaSeparated, false);
    }

    public static CriticalTables parse(String commaSeparated, boolean checksums) {
        return new CriticalTables(
                Arrays.stream(commaSeparated.split(","))
                        .map(String::strip)
                        .filter(name -> !name.isEmpty())
                        .toList(),
                checksums);
    }

    public boolean checksums() {
        return checksums;
    }

    public List<String> names() {
        return tables;
    }

    /**
     * The leaf partitions of a partitioned table, schema-qualified: PostgreSQL keeps a partitioned
     * table's rows only in them.
     */
    static final String LEAVES = """
            SELECT n.nspname || '.' || c.relname
            FROM pg_partition_tree(?::regclass) t JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE t.isleaf ORDER BY 1""";

    /**
     * For each critical table, the tables that hold its rows: itself when it is an ordinary table, its leaf
     * partitions when it is partitioned (none while it has no partition). pg_dump 15's {@code --table=parent}
     * dumps a partitioned table's definition but no partition and no data, and pg_restore --list shows
     * "TABLE DATA" lines for the partitions only, so the critical dump and the archive check need these names.
     */
    public Map<String, List<String>> dataTables(Connection connection) throws SQLException {
        Map<String, List<String>> result = new LinkedHashMap<>();
        try (var statement = connection.prepareStatement(LEAVES)) {
            for (String table : tables) {
                statement.setString(1, table);
                List<String> leaves = new ArrayList<>();
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        leaves.add(rows.getString(1));
                    }
                }
                result.put(table, List.copyOf(leaves));
            }
        }
        return result;
    }

    /** Exact row counts in the connection's snapshot, with checksums when this set was configured with them. */
    public List<TableCount> measure(Connection connection) throws SQLException {
        return measure(connection, tables, checksums);
    }

    /** checksums false: {@link TableCount#checksum()} is null. */
    public static List<TableCount> measure(Connection connection, List<String> tables, boolean checksums)
            throws SQLException {
        List<TableCount> counts = new ArrayList<>();
        try (var statement = connection.createStatement()) {
            for (String table : tables) {
                if (!NAME.matcher(table).matches()) {
                    throw new IllegalArgumentException("not a plain lower-case table name: '" + table + "'");
                }
                try (var rows = statement.executeQuery((checksums ? COUNT_AND_CHECKSUM : COUNT).formatted(table))) {
                    rows.next();
                    counts.add(new TableCount(table, rows.getLong(1), rows.getString(2)));
                }
            }
        }
        return counts;
    }
}
