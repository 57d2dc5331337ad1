package com.apintake.backup.control;

import com.apintake.backup.entity.TableCount;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** The partitions (at any depth) of the critical tables that are partitioned, e.g. validations_p2026_12. */
    public List<String> partitions(Connection connection) throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (var statement = connection.prepareStatement("""
                WITH RECURSIVE tree AS (
                    SELECT c.oid FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY (?) AND c.relkind = 'p'
                    UNION ALL
                    SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
                SELECT c.relname FROM tree t JOIN pg_class c ON c.oid = t.oid
                WHERE c.relname <> ALL (?) ORDER BY c.relname""")) {
            var names = connection.createArrayOf("text", tables.toArray());
            statement.setArray(1, names);
            statement.setArray(2, names);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    partitions.add(rows.getString(1));
                }
            }
        }
        return partitions;
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
