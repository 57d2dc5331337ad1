package com.apintake.tools;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.postgresql.PGStatement;

/**
 * Issue 11's "plans must show partition pruning for the time-bounded queries", checked on the harness's database:
 * each time-bounded query on validations, invoice_extractions and audit_log over the last 30 days runs under
 * EXPLAIN (ANALYZE, FORMAT JSON); the partitions it read are the leaf partitions of the table that appear in the
 * plan with at least one loop (pruned at planning are absent, pruned at run time show 0 loops). Met when every
 * partition read overlaps the query's window (partition bounds from pg_class.relpartbound), i.e. it read no
 * month outside it (the DEFAULT partition counts as overlapping where the month partitions do not cover the whole
 * window); the table prints read / overlapping / total.
 */
final class PartitionPruning {

    /** One time-bounded query: the table it must prune, the SQL with ? parameters and its values. */
    record Probe(String table, String name, String sql, List<Object> parameters) {}

    record Outcome(Probe probe, Set<String> read, Set<String> overlapping, int total) {
        boolean pruned() {
            return !read.isEmpty() && overlapping.containsAll(read);
        }
    }

    private PartitionPruning() {}

    /** Alone against a kept benchmark database: {@code java ... com.apintake.tools.PartitionPruning target/bench/postgres}. */
    public static void main(String[] args) throws Exception {
        var postgres = new com.apintake.testsupport.PostgresServer(
                java.nio.file.Path.of(args[0]),
                com.apintake.testsupport.PostgresServer.freeServerPort(),
                "postgres",
                null);
        postgres.start();
        try (Connection connection = postgres.connect("ap_intake_bench")) {
            LocalDate to = LocalDate.now(ZoneOffset.UTC).plusDays(1);
            System.exit(report(System.out::println, connection, to.minusDays(30), to) ? 0 : 1);
        } finally {
            postgres.stop();
        }
    }

    static List<Probe> probes(LocalDate from, LocalDate to) throws ReflectiveOperationException {
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.atStartOfDay().atOffset(ZoneOffset.UTC);
        String days = from.datesUntil(to).map(LocalDate::toString).collect(Collectors.joining(",", "{", "}"));
        List<Probe> probes = new ArrayList<>();
        probes.add(new Probe(
                "invoice_extractions",
                "seed 002: confidence per day (idx_extractions_created_confidence)",
                "SELECT date_trunc('day', created_at) AS day, avg((confidence_json->>'overall')::float)"
                        + " FROM invoice_extractions WHERE created_at >= ? AND created_at < ? GROUP BY 1",
                List.of(start, end)));
        probes.add(new Probe(
                "invoice_extractions",
                "issue 11: confidence per day on overall_confidence (GROUP BY day)",
                ConfidenceAggregation.GROUP_BY_DAY,
                List.of("UTC", ConfidenceAggregation.THRESHOLD, start, end)));
        probes.add(new Probe(
                "invoice_extractions",
                "rollup drain: confidence per-day ranges (Rollups.CONFIDENCE)",
                rollup("CONFIDENCE"),
                List.of(days, ConfidenceAggregation.THRESHOLD, "UTC", "UTC")));
        probes.add(new Probe(
                "validations", "seed: pass rate per rule", AnalyticsSql.SEED_VALIDATIONS, List.of(start, end)));
        probes.add(new Probe(
                "validations",
                "rollup drain: validations per-day ranges (Rollups.VALIDATIONS)",
                rollup("VALIDATIONS"),
                List.of(days, "UTC", "UTC")));
        probes.add(new Probe(
                "audit_log",
                "entries per action in a period",
                "SELECT action, count(*) FROM audit_log WHERE at >= ? AND at < ? GROUP BY action",
                List.of(start, end)));
        return probes;
    }

    /** A rollup statement the drain runs, without its INSERT line (read from Rollups so they cannot drift apart). */
    static String rollup(String name) throws ReflectiveOperationException {
        var field = Class.forName("com.apintake.analytics.control.Rollups").getDeclaredField(name);
        field.setAccessible(true);
        String insert = (String) field.get(null);
        return insert.substring(insert.indexOf("SELECT"));
    }

    static List<Outcome> check(Connection connection, LocalDate from, LocalDate to) throws Exception {
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.atStartOfDay().atOffset(ZoneOffset.UTC);
        List<Outcome> outcomes = new ArrayList<>();
        for (Probe probe : probes(from, to)) {
            outcomes.add(new Outcome(
                    probe,
                    read(connection, probe),
                    overlapping(connection, probe.table(), start, end),
                    partitions(connection, probe.table())));
        }
        return outcomes;
    }

    /** Prints the table and returns whether every probe pruned. */
    static boolean report(Consumer<String> out, Connection connection, LocalDate from, LocalDate to) throws Exception {
        List<Outcome> outcomes = check(connection, from, to);
        out.accept(String.format(
                Locale.ROOT,
                "%nPartition pruning, window [%s, %s) UTC: partitions read (EXPLAIN (ANALYZE, FORMAT JSON), nodes with"
                        + " loops > 0) / partitions overlapping the window / all partitions of the table.%n",
                from,
                to));
        out.accept("| table | query | read | overlapping | total | partitions read | pruned |");
        out.accept("|---|---|---|---|---|---|---|");
        for (Outcome outcome : outcomes) {
            out.accept(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %s | %s |",
                    outcome.probe().table(),
                    outcome.probe().name(),
                    outcome.read().size(),
                    outcome.overlapping().size(),
                    outcome.total(),
                    String.join(", ", outcome.read()),
                    outcome.pruned() ? "yes" : "NO"));
        }
        return outcomes.stream().allMatch(Outcome::pruned);
    }

    static Set<String> read(Connection connection, Probe probe) throws SQLException {
        Set<String> partitions = new TreeSet<>();
        try (PreparedStatement statement =
                connection.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + probe.sql())) {
            // Planned with the values (custom plan), as the application's statements are on their first runs.
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            for (int i = 0; i < probe.parameters().size(); i++) {
                statement.setObject(i + 1, probe.parameters().get(i));
            }
            try (var rows = statement.executeQuery()) {
                rows.next();
                collect(Json.createReader(new StringReader(rows.getString(1))).readArray(), probe.table(), partitions);
            }
        }
        return partitions;
    }

    private static void collect(JsonValue node, String table, Set<String> partitions) {
        if (node instanceof JsonObject object) {
            if (object.containsKey("Relation Name")
                    && object.getString("Relation Name").startsWith(table + "_")
                    && object.containsKey("Actual Loops")
                    && object.getJsonNumber("Actual Loops").longValue() > 0) {
                partitions.add(object.getString("Relation Name"));
            }
            object.values().forEach(value -> collect(value, table, partitions));
        } else if (node instanceof JsonArray array) {
            array.forEach(value -> collect(value, table, partitions));
        }
    }

    /**
     * The month partitions whose range [lower, upper) overlaps [start, end), plus the DEFAULT partition when they do
     * not cover the whole window (rows of an uncovered part of the window live in the DEFAULT partition).
     */
    static Set<String> overlapping(Connection connection, String table, OffsetDateTime start, OffsetDateTime end)
            throws SQLException {
        Set<String> names = new TreeSet<>();
        String defaultPartition = null;
        long covered = 0;
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
                       greatest(CAST(b[1] AS timestamptz), CAST(? AS timestamptz)),
                       least(CAST(b[2] AS timestamptz), CAST(? AS timestamptz))
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                               'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') b ON true
                WHERE i.inhparent = CAST(? AS regclass)""")) {
            statement.setObject(1, start);
            statement.setObject(2, end);
            statement.setString(3, table);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (rows.getBoolean(2)) {
                        defaultPartition = rows.getString(1);
                        continue;
                    }
                    OffsetDateTime from = rows.getObject(3, OffsetDateTime.class);
                    OffsetDateTime to = rows.getObject(4, OffsetDateTime.class);
                    if (from != null && to != null && from.isBefore(to)) {
                        names.add(rows.getString(1));
                        covered += java.time.Duration.between(from, to).toSeconds();
                    }
                }
            }
        }
        if (defaultPartition != null
                && covered < java.time.Duration.between(start, end).toSeconds()) {
            names.add(defaultPartition);
        }
        return names;
    }

    static int partitions(Connection connection, String table) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT count(*) FROM pg_inherits WHERE inhparent = CAST(? AS regclass)")) {
            statement.setString(1, table);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
