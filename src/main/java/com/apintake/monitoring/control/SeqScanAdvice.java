package com.apintake.monitoring.control;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an EXPLAIN (FORMAT JSON) plan for what an index would fix: a sequential scan whose filter
 * keeps only a small share of the rows. Pure, so the tests can feed it plans; {@link Explain}
 * decides which of these scans touch a big table and whether an index already leads with the column.
 */
public final class SeqScanAdvice {

    /** A sequential scan under a filter: rows is what the filter keeps (actual rows under ANALYZE, else the estimate). */
    public record FilteredScan(
            String relation, String filter, double rows, boolean actual, List<String> equality, List<String> range) {

        /** Equality columns first, then one range column: the order a B-tree serves best. */
        public List<String> indexColumns() {
            List<String> columns = new ArrayList<>(equality);
            range.stream().filter(c -> !columns.contains(c)).findFirst().ifPresent(columns::add);
            return columns;
        }
    }

    private static final Pattern COMPARISON = Pattern.compile(
            "\\(*\"?([a-z_][a-z0-9_]*)\"?\\)?(?:::[a-z ]+?(?:\\[\\])?)?\\s+(=|<=|>=|<|>|~~|IS NOT|IS)\\s");

    private SeqScanAdvice() {}

    public static List<FilteredScan> filteredScans(JsonArray explain) {
        List<FilteredScan> scans = new ArrayList<>();
        for (JsonValue entry : explain) {
            walk(entry.asJsonObject().getJsonObject("Plan"), scans);
        }
        return scans;
    }

    private static void walk(JsonObject node, List<FilteredScan> scans) {
        if ("Seq Scan".equals(node.getString("Node Type", "")) && node.containsKey("Filter")) {
            String filter = node.getString("Filter");
            boolean actual = node.containsKey("Actual Rows");
            double rows = actual
                    ? node.getJsonNumber("Actual Rows").doubleValue()
                    : node.getJsonNumber("Plan Rows").doubleValue();
            Set<String> equality = new LinkedHashSet<>();
            Set<String> range = new LinkedHashSet<>();
            Matcher m = COMPARISON.matcher(filter.toLowerCase(Locale.ROOT));
            while (m.find()) {
                (m.group(2).equals("=") || m.group(2).startsWith("IS") ? equality : range).add(m.group(1));
            }
            scans.add(new FilteredScan(
                    node.getString("Relation Name"), filter, rows, actual, List.copyOf(equality), List.copyOf(range)));
        }
        if (node.containsKey("Plans")) {
            for (JsonValue child : node.getJsonArray("Plans")) {
                walk(child.asJsonObject(), scans);
            }
        }
    }

    /** The Liquibase formatted-SQL changeSet for the index, in the shape of the recommendations' fixes. */
    public static String changeSet(String schema, String table, List<String> columns, String reason) {
        String name = indexName(table, columns);
        String quotedColumns =
                String.join(", ", columns.stream().map(SeqScanAdvice::quote).toList());
        return "--changeset ap-intake:" + name.replace('_', '-') + " runInTransaction:false\n"
                + "--comment: " + reason + "\n"
                + "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + quote(name) + " ON " + quote(schema) + "." + quote(table)
                + " (" + quotedColumns + ");\n"
                + "--rollback DROP INDEX CONCURRENTLY IF EXISTS " + quote(schema) + "." + quote(name) + ";\n";
    }

    public static String indexName(String table, List<String> columns) {
        String name = "idx_" + table + "_" + String.join("_", columns);
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
