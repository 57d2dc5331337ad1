package com.apintake.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Where the shared-buffer misses of a workload went: blocks read per relation, as a delta of pg_statio. */
final class CacheProfile {

    private CacheProfile() {}

    /** Blocks read (heap, index, toast) per table, now. Closes the connection. */
    static Map<String, Long> blockReads(Connection connection) throws SQLException {
        Map<String, Long> reads = new HashMap<>();
        try (connection;
                var rows = connection.createStatement().executeQuery("""
                        SELECT relname, coalesce(heap_blks_read, 0) + coalesce(idx_blks_read, 0)
                               + coalesce(toast_blks_read, 0) + coalesce(tidx_blks_read, 0)
                        FROM pg_statio_user_tables""")) {
            while (rows.next()) {
                reads.put(rows.getString(1), rows.getLong(2));
            }
        }
        return reads;
    }

    /** The relations with the most blocks read between the two readings, e.g. "invoices 1,234, ...". */
    static String top(Map<String, Long> before, Map<String, Long> after, int limit) {
        String text = after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        return text.isEmpty() ? "none" : text;
    }
}
