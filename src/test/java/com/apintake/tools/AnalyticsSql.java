package com.apintake.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Each analytics question as SQL over JDBC, the seed's aggregation over the facts against the rollup
 * statement the application now runs, over 30 and 366 days ending tomorrow (UTC): client-side medians
 * and PostgreSQL's own execution time (EXPLAIN ANALYZE), which the load of a shared machine distorts
 * less than an HTTP round trip. Part of the harness (part 7); also runnable alone against a kept
 * benchmark database: {@code java ... com.apintake.tools.AnalyticsSql target/bench/postgres} (starts and
 * stops the PostgreSQL the harness left behind).
 */
final class AnalyticsSql {

    /** The seed's statements (Analytics before Liquibase 111), verbatim. */
    static final String SEED_CONFIDENCE = """
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) AS extractions,
                   avg((confidence_json ->> 'overall')::float) AS average_confidence,
                   count(*) FILTER (WHERE (confidence_json ->> 'overall')::float < ?) AS below_threshold
            FROM invoice_extractions
            WHERE created_at >= ? AND created_at < ?
            GROUP BY 1
            ORDER BY 1""";

    static final String SEED_EXCEPTIONS = """
            WITH raised AS (
                SELECT (created_at AT TIME ZONE 'UTC')::date AS day, type, count(*) AS raised,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) / 3600
                           AS median_hours
                FROM exceptions
                WHERE resolved IN (false, true) AND created_at >= ? AND created_at < ?
                GROUP BY 1, 2),
            resolved AS (
                SELECT (resolved_at AT TIME ZONE 'UTC')::date AS day, type, count(*) AS resolved
                FROM exceptions
                WHERE resolved AND resolved_at >= ? AND resolved_at < ?
                GROUP BY 1, 2)
            SELECT coalesce(r.day, s.day), coalesce(r.type, s.type), coalesce(r.raised, 0), coalesce(s.resolved, 0),
                   r.median_hours
            FROM raised r
            FULL JOIN resolved s ON s.day = r.day AND s.type = r.type
            ORDER BY 1, 2""";

    static final String SEED_VENDORS = """
            SELECT vendor_id, name, count(*) AS invoices,
                   avg(has_exception::int) AS exception_rate,
                   avg(confidence) AS average_confidence,
                   avg((NOT has_exception AND reached_approval)::int) AS auto_approved_share
            FROM (SELECT i.vendor_id, v.name,
                         (x.confidence_json ->> 'overall')::float AS confidence,
                         EXISTS (SELECT 1 FROM exceptions e WHERE e.invoice_id = i.id) AS has_exception,
                         i.workflow_status IN ('PENDING_APPROVAL', 'APPROVED', 'STAGED', 'EXPORTED') AS reached_approval
                  FROM invoice_extractions x
                  JOIN invoices i ON i.id = x.invoice_id
                  JOIN vendors v ON v.id = i.vendor_id
                  WHERE x.created_at >= ? AND x.created_at < ?) per_invoice
            GROUP BY vendor_id, name
            ORDER BY invoices DESC, vendor_id
            LIMIT ? OFFSET ?""";

    static final String SEED_VALIDATIONS = """
            SELECT rule_code, count(*) AS checks, count(*) FILTER (WHERE passed) AS passed
            FROM validations
            WHERE passed IN (false, true) AND created_at >= ? AND created_at < ?
            GROUP BY rule_code
            ORDER BY rule_code""";

    static final String SEED_EXPORTS = """
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day, status, count(*)
            FROM staged_exports
            WHERE status IN ('PENDING', 'EXPORTED', 'FAILED') AND created_at >= ? AND created_at < ?
            GROUP BY 1, 2
            ORDER BY 1, 2""";

    record Row(String question, int days, double seedMillis, double rollupMillis, double rollupExecutionMillis) {}

    public static void main(String[] args) throws Exception {
        var postgres = new com.apintake.testsupport.PostgresServer(
                java.nio.file.Path.of(args[0]),
                com.apintake.testsupport.PayaraMicroLaunch.freePort(),
                "postgres",
                null);
        postgres.start();
        try (Connection connection = postgres.connect("ap_intake_bench")) {
            System.out.println("| question | days | seed SQL ms | rollup SQL ms | rollup execution ms | speed-up |");
            System.out.println("|---|---|---|---|---|---|");
            for (Row row : measure(connection)) {
                System.out.printf(
                        java.util.Locale.ROOT,
                        "| %s | %d | %.1f | %.2f | %.3f | %.0fx |%n",
                        row.question(),
                        row.days(),
                        row.seedMillis(),
                        row.rollupMillis(),
                        row.rollupExecutionMillis(),
                        row.seedMillis() / row.rollupMillis());
            }
        } finally {
            postgres.stop();
        }
    }

    static List<Row> measure(Connection connection) throws Exception {
        List<Row> rows = new ArrayList<>();
        LocalDate to = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        for (int days : new int[] {30, 366}) {
            LocalDate from = to.minusDays(days);
            OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
            OffsetDateTime end = to.atStartOfDay().atOffset(ZoneOffset.UTC);
            var period = new com.apintake.analytics.control.Period(from, to);
            rows.add(row(
                    connection,
                    "extraction-confidence",
                    days,
                    SEED_CONFIDENCE,
                    rollup("CONFIDENCE"),
                    s -> bind(s, 0.8, start, end),
                    s -> bind(s, from, to)));
            rows.add(row(
                    connection,
                    "exceptions",
                    days,
                    SEED_EXCEPTIONS,
                    rollup("EXCEPTIONS"),
                    s -> bind(s, start, end, start, end),
                    s -> bind(s, from, to)));
            rows.add(row(
                    connection,
                    "vendors (top 50)",
                    days,
                    SEED_VENDORS,
                    rollup("VENDORS"),
                    s -> bind(s, start, end, 50, 0),
                    s -> bind(s, from, to.minusDays(1), 50, 0)));
            rows.add(row(
                    connection,
                    "validations",
                    days,
                    SEED_VALIDATIONS,
                    rollup("VALIDATIONS"),
                    s -> bind(s, start, end),
                    s -> bind(s, from, to)));
            rows.add(row(
                    connection,
                    "exports",
                    days,
                    SEED_EXPORTS,
                    rollup("EXPORTS"),
                    s -> bind(s, start, end),
                    s -> bind(s, from, to)));
        }
        return rows;
    }

    /** The statement the application runs, read from Analytics so the two cannot drift apart. */
    static String rollup(String name) throws ReflectiveOperationException {
        var field = Class.forName("com.apintake.analytics.control.Analytics").getDeclaredField(name);
        field.setAccessible(true);
        return (String) field.get(null);
    }

    private static Row row(
            Connection connection,
            String question,
            int days,
            String seed,
            String rollup,
            Binder seedParameters,
            Binder rollupParameters)
            throws SQLException {
        double seedMillis = median(time(connection, seed, seedParameters, 5));
        double rollupMillis = median(time(connection, rollup, rollupParameters, 20));
        List<Double> execution = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (PreparedStatement statement = connection.prepareStatement("EXPLAIN (ANALYZE, TIMING OFF) " + rollup)) {
                rollupParameters.bind(statement);
                try (var plan = statement.executeQuery()) {
                    while (plan.next()) {
                        var matcher = java.util.regex.Pattern.compile("Execution Time: ([0-9.]+) ms")
                                .matcher(plan.getString(1));
                        if (matcher.find()) {
                            execution.add(Double.parseDouble(matcher.group(1)));
                        }
                    }
                }
            }
        }
        return new Row(question, days, seedMillis, rollupMillis, median(execution));
    }

    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private static void bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
    }

    private static List<Double> time(Connection connection, String sql, Binder parameters, int runs)
            throws SQLException {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < runs + 2; i++) {
            long begin = System.nanoTime();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                parameters.bind(statement);
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        // read every row
                    }
                }
            }
            if (i >= 2) {
                millis.add((System.nanoTime() - begin) / 1e6);
            }
        }
        return millis;
    }

    /** The nearest-rank median (the lower middle of an even count), as {@link Latencies.Stats}. */
    static double median(List<Double> values) {
        return Latencies.Stats.of(values).median();
    }
}
