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
 * "critical" kind, and counted and checksummed in every backup so a restore drill can prove the
 * restored copy holds exactly what was dumped.
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

    private final List<String> tables;

    public CriticalTables(List<String> tables) {
        for (String table : tables) {
            if (!NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("not a plain lower-case table name: '" + table + "'");
            }
        }
        this.tables = List.copyOf(tables);
    }

    public static CriticalTables parse(String commaSeparated) {
        return new CriticalTables(Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .toList());
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

    public List<TableCount> measure(Connection connection) throws SQLException {
        return measure(connection, tables);
    }

    public static List<TableCount> measure(Connection connection, List<String> tables) throws SQLException {
        List<TableCount> counts = new ArrayList<>();
        try (var statement = connection.createStatement()) {
            for (String table : tables) {
                if (!NAME.matcher(table).matches()) {
                    throw new IllegalArgumentException("not a plain lower-case table name: '" + table + "'");
                }
                try (var rows = statement.executeQuery(COUNT_AND_CHECKSUM.formatted(table))) {
                    rows.next();
                    counts.add(new TableCount(table, rows.getLong(1), rows.getString(2)));
                }
            }
        }
        return counts;
    }
}
