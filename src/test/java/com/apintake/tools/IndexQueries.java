package com.apintake.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query each performance index exists for, read from the "-- Query:" lines written next to it
 * in liquibase/changes/002-performance-indexes.sql, and bound to literal values from the data at
 * hand. SchemaIT runs them under EXPLAIN; the benchmark times them with and without their index.
 */
public final class IndexQueries {

    private IndexQueries() {}

    /** Index name -> its queries, in changelog order. */
    public static Map<String, List<String>> byIndex(Path basedir) throws IOException {
        Path changelog = basedir.resolve("liquibase/changes/002-performance-indexes.sql");
        Pattern index = Pattern.compile("CREATE (?:UNIQUE )?INDEX CONCURRENTLY IF NOT EXISTS (\\w+)");
        Map<String, List<String>> result = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>();
        for (String line : Files.readAllLines(changelog)) {
            if (line.startsWith("-- Query:")) {
                pending.add(line.substring("-- Query:".length()).trim().replaceAll(";$", ""));
            }
            Matcher matcher = index.matcher(line);
            if (matcher.find()) {
                result.put(matcher.group(1), List.copyOf(pending));
                pending.clear();
            }
        }
        return result;
    }

    /** Literal values for the named parameters, picked from the data: the newest hash, the busiest vendor, the last 30 days. */
    public static Map<String, String> parameters(Connection connection) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        try (var rows = connection.createStatement().executeQuery("""
                SELECT (SELECT file_hash FROM invoices ORDER BY id DESC LIMIT 1),
                       (SELECT vendor_id FROM invoices WHERE vendor_id IS NOT NULL
                        GROUP BY vendor_id ORDER BY count(*) DESC LIMIT 1)""")) {
            rows.next();
            values.put(":hash", "'" + rows.getString(1) + "'");
            values.put(":vendor", rows.getString(2));
        }
        values.put(":status", "'PENDING_APPROVAL'");
        values.put(":from", "now() - interval '30 days'");
        values.put(":to", "now()");
        values.put(":threshold", "0.5");
        return values;
    }

    /** The query with its parameters replaced; fails on a parameter left unbound. */
    public static String bind(String query, Map<String, String> parameters) {
        String sql = query.replace(
                "(file_hash, ...) VALUES (...)",
                "(file_hash, content_type, size_bytes) VALUES (:hash, 'application/xml', 1)");
        for (var parameter : parameters.entrySet()) {
            sql = sql.replace(parameter.getKey(), parameter.getValue());
        }
        if (Pattern.compile("(?<![:\\w]):[a-z]").matcher(sql).find()) {
            throw new IllegalArgumentException("unbound parameter in " + sql);
        }
        return sql;
    }
}
