package com.apintake.tools;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.postgresql.PGStatement;

/**
 * Issue 11's two confidence targets on the stored overall_confidence (Liquibase 110): the daily aggregation with
 * idx_extractions_created_overall >= 10x the same statement without it, and the single aggregation >= 100x its N+1
 * form. Two forms of the same question (count, average and count below the threshold per calendar day in a zone):
 * <ul>
 *   <li><b>per-day ranges</b>, the statement the product runs ({@code Rollups.CONFIDENCE}, read from the class so
 *       the two cannot drift apart): the day boundaries are computed once per day in the zone (exact on DST days:
 *       23 or 25 hours), each day is one range of the index aggregated without a group key: no time-zone
 *       conversion per row, no sort, no group-count estimate;
 *   <li><b>GROUP BY day</b>, the seed's shape (the issue's form, as part 7 ran it before): the day key
 *       {@code (created_at AT TIME ZONE zone)::date} computed per row, grouped over an estimate PostgreSQL cannot
 *       make (it has no statistics on the expression).
 * </ul>
 * Each is timed with its indexes and without them ({@code idx_extractions_created_overall} and the seed's
 * {@code idx_extractions_created_confidence} dropped in a transaction that is rolled back), interleaved round by
 * round so the machine's load falls on both alike; every statement is planned afresh each run (custom plan: the
 * bounds are known to the planner, so it prunes the month partitions). Before timing, both forms' answers are
 * compared with each other and with the N+1 answer (an exception when they differ). Part of the harness (part 7);
 * also runnable alone against a kept benchmark database:
 * {@code java ... com.apintake.tools.ConfidenceAggregation target/bench/postgres [rounds] [zones]}.
 */
final class ConfidenceAggregation {

    static final double THRESHOLD = 0.8;

    static final String[] INDEXES = {"idx_extractions_created_overall", "idx_extractions_created_confidence"};

    /** The seed's shape on the stored column: the day key per row, one group per day. */
    static final String GROUP_BY_DAY = """
            SELECT (created_at AT TIME ZONE CAST(? AS text))::date AS day, count(*) AS extractions,
                   avg(overall_confidence) AS average_confidence,
                   count(*) FILTER (WHERE overall_confidence < ?) AS below_threshold
            FROM invoice_extractions
            WHERE created_at >= ? AND created_at < ?
            GROUP BY 1
            ORDER BY 1""";

    /** One form: its name and how to bind it for a window. */
    record Form(String name, String sql, Binder binder) {}

    interface Binder {
        void bind(PreparedStatement statement, Window window) throws SQLException;
    }

    /** Calendar days [from, to) in a zone. */
    record Window(LocalDate from, LocalDate to, ZoneId zone) {
        int days() {
            return (int) (to.toEpochDay() - from.toEpochDay());
        }

        OffsetDateTime start() {
            return from.atStartOfDay(zone).toOffsetDateTime();
        }

        OffsetDateTime end() {
            return to.atStartOfDay(zone).toOffsetDateTime();
        }

        String dates() {
            return from.datesUntil(to).map(LocalDate::toString).collect(Collectors.joining(",", "{", "}"));
        }

        @Override
        public String toString() {
            return from + ".." + to + " " + zone.getId();
        }
    }

    /** A day's answer, the same from every form. */
    record Day(LocalDate day, long extractions, double average, long below) {}

    /** Medians of one window, milliseconds (client wall time: planning, execution, transfer). */
    record Result(
            Window window,
            double perDayWith,
            double perDayWithout,
            double groupByWith,
            double groupByWithout,
            int rounds) {
        double indexRatio() {
            return perDayWithout / perDayWith;
        }

        /** The best the database can do without the indexes, whatever the form. */
        double bestWithout() {
            return Math.min(perDayWithout, groupByWithout);
        }
    }

    record NPlusOne(Window window, long statements, double nPlusOneMedian, double singleMedian, int runs) {
        double ratio() {
            return nPlusOneMedian / singleMedian;
        }
    }

    static Form perDay() throws ReflectiveOperationException {
        var field = Class.forName("com.apintake.analytics.control.Rollups").getDeclaredField("CONFIDENCE");
        field.setAccessible(true);
        String insert = (String) field.get(null);
        // The rollup's statement without its INSERT line: the days' answers as the drain computes them.
        String select = insert.substring(insert.indexOf("SELECT"));
        return new Form("per-day ranges (Rollups.CONFIDENCE)", select + "\nORDER BY d.day", (statement, window) -> {
            statement.setString(1, window.dates());
            statement.setDouble(2, THRESHOLD);
            statement.setString(3, window.zone().getId());
            statement.setString(4, window.zone().getId());
        });
    }

    static Form groupBy() {
        return new Form("GROUP BY day (seed shape)", GROUP_BY_DAY, (statement, window) -> {
            statement.setString(1, window.zone().getId());
            statement.setDouble(2, THRESHOLD);
            statement.setObject(3, window.start());
            statement.setObject(4, window.end());
        });
    }

    public static void main(String[] args) throws Exception {
        var postgres = new com.apintake.testsupport.PostgresServer(
                java.nio.file.Path.of(args[0]),
                com.apintake.testsupport.PostgresServer.freeServerPort(),
                "postgres",
                null);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        List<ZoneId> zones = (args.length > 2 ? List.of(args[2].split(",")) : List.of("UTC", "Europe/Berlin"))
                .stream().map(ZoneId::of).toList();
        postgres.start();
        try (Connection connection = postgres.connect("ap_intake_bench")) {
            connection.createStatement().execute("VACUUM (ANALYZE) invoice_extractions");
            Consumer<String> out = System.out::println;
            for (ZoneId zone : zones) {
                boolean first = zone.equals(zones.get(0));
                report(out, connection, zone, false, rounds, first ? 9 : 0, first ? 3 : 0);
            }
            // The server's default (jit = on): what JIT compilation adds, fewer rounds (the no-index plans pay
            // seconds).
            report(out, connection, zones.get(0), true, 5, 5, 0);
            LocalDate to = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1);
            PartitionPruning.report(out, connection, to.minusDays(30), to);
        } finally {
            postgres.stop();
        }
    }

    /** The windows the harness measures: the last 30 and 366 days up to tomorrow, in the zone. */
    static List<Window> windows(ZoneId zone) {
        LocalDate to = LocalDate.now(zone).plusDays(1);
        return List.of(new Window(to.minusDays(30), to, zone), new Window(to.minusDays(366), to, zone));
    }

    /**
     * Checks, measures and prints both windows in the zone; the N+1 comparison over 30 days. Returns the 30-day
     * result and the N+1 comparison for the target table.
     */
    static Map<String, Object> report(
            Consumer<String> out,
            Connection connection,
            ZoneId zone,
            boolean jit,
            int rounds,
            int profileRuns,
            int nPlusOneRuns)
            throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        connection.createStatement().execute("SET jit = " + (jit ? "on" : "off"));
        out.accept(String.format(
                Locale.ROOT,
                "%nConfidence per day in %s, jit = %s (threshold %.1f), medians of %d interleaved rounds after 2"
                        + " warm-ups, client wall time in ms (planning included); \"without\" = `%s` and `%s` dropped in"
                        + " a rolled-back transaction.%n",
                zone.getId(),
                jit ? "on" : "off",
                THRESHOLD,
                rounds,
                INDEXES[0],
                INDEXES[1]));
        out.accept("| window | rows | per-day ranges with / without | ratio | GROUP BY day with / without | ratio |"
                + " per-day with vs best without |");
        out.accept("|---|---|---|---|---|---|---|");
        for (Window window : windows(zone)) {
            List<Day> answer = verify(connection, window);
            long rows = answer.stream().mapToLong(Day::extractions).sum();
            Result result = measure(connection, window, window.days() > 100 ? Math.max(5, rounds / 2) : rounds);
            results.put(window.days() + " days", result);
            out.accept(String.format(
                    Locale.ROOT,
                    "| %d days (%s) | %,d | %.2f / %.2f | **%.1fx** | %.2f / %.2f | %.1fx | %.1fx |",
                    window.days(),
                    window,
                    rows,
                    result.perDayWith(),
                    result.perDayWithout(),
                    result.indexRatio(),
                    result.groupByWith(),
                    result.groupByWithout(),
                    result.groupByWithout() / result.groupByWith(),
                    result.bestWithout() / result.perDayWith()));
        }
        Window month = windows(zone).get(0);
        if (nPlusOneRuns > 0) {
            out.accept("");
            out.accept("| N+1 form, " + month + " | statements | N+1 median ms | single (per-day, with index) median ms"
                    + " | ratio |");
            out.accept("|---|---|---|---|---|");
            for (boolean byKey : new boolean[] {false, true}) {
                NPlusOne nPlusOne = nPlusOne(connection, month, nPlusOneRuns, byKey);
                results.put(byKey ? "n+1 by key" : "n+1", nPlusOne);
                out.accept(String.format(
                        Locale.ROOT,
                        "| %s | %,d | %.0f | %.2f | **%.0fx** |",
                        byKey
                                ? "ids and created_at of each day, then `... WHERE id = ? AND created_at = ?` (one"
                                        + " partition)"
                                : "ids of each day, then `... WHERE id = ?` (part 3's form: probes every partition)",
                        nPlusOne.statements(),
                        nPlusOne.nPlusOneMedian(),
                        nPlusOne.singleMedian(),
                        nPlusOne.ratio()));
            }
            out.accept("");
            out.accept(String.format(
                    Locale.ROOT,
                    "Medians of %d runs after 2 warm-ups, each followed by one run of the single statement; both N+1"
                            + " answers were checked equal to the single statement's.",
                    nPlusOneRuns));
        }
        if (profileRuns > 0) {
            for (Window window : windows(zone)) {
                out.accept("");
                out.accept("Profile, " + window + ": EXPLAIN (ANALYZE, BUFFERS, TIMING, FORMAT JSON) per plan node,"
                        + " medians; never-executed partitions left out; \"-> \" marks depth.");
                for (Form form : List.of(perDay(), groupBy())) {
                    out.accept("");
                    profile(connection, form, window, profileRuns).forEach(out);
                    out.accept("");
                    withoutIndexes(connection, () -> profile(connection, form, window, profileRuns)).stream()
                            .map(line -> line.startsWith("|")
                                    ? line
                                    : line.replace(form.name(), form.name() + " WITHOUT the indexes"))
                            .forEach(out);
                }
            }
        }
        return results;
    }

    /** Both forms answer the same, day by day; throws when they do not. */
    static List<Day> verify(Connection connection, Window window) throws Exception {
        List<Day> perDay = answer(connection, perDay(), window);
        List<Day> groupBy = answer(connection, groupBy(), window);
        check(window + ": per-day ranges vs GROUP BY day", perDay, groupBy);
        return perDay;
    }

    static void check(String what, List<Day> expected, List<Day> actual) {
        boolean same = expected.size() == actual.size();
        for (int i = 0; same && i < expected.size(); i++) {
            Day a = expected.get(i);
            Day b = actual.get(i);
            same = a.day().equals(b.day())
                    && a.extractions() == b.extractions()
                    && a.below() == b.below()
                    && Math.abs(a.average() - b.average()) <= 1e-9;
        }
        if (!same) {
            throw new IllegalStateException(what + " differ:\n" + expected + "\n" + actual);
        }
    }

    static List<Day> answer(Connection connection, Form form, Window window) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(form.sql())) {
            form.binder().bind(statement, window);
            List<Day> days = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    long extractions = rows.getLong(2);
                    double value = rows.getDouble(3);
                    // Rollups.CONFIDENCE yields the sum (the rollup stores it), GROUP BY the average.
                    double average = form.sql().contains("confidence_sum") ? value / extractions : value;
                    days.add(new Day(rows.getObject(1, LocalDate.class), extractions, average, rows.getLong(4)));
                }
            }
            return days;
        }
    }

    static Result measure(Connection connection, Window window, int rounds) throws Exception {
        Form perDay = perDay();
        Form groupBy = groupBy();
        List<Double> perDayWith = new ArrayList<>();
        List<Double> perDayWithout = new ArrayList<>();
        List<Double> groupByWith = new ArrayList<>();
        List<Double> groupByWithout = new ArrayList<>();
        for (int round = 0; round < rounds + 2; round++) {
            boolean timed = round >= 2;
            double a = time(connection, perDay, window);
            double b = time(connection, groupBy, window);
            double[] without = withoutIndexes(connection, () ->
                    new double[] {time(connection, perDay, window), time(connection, groupBy, window)});
            if (timed) {
                perDayWith.add(a);
                groupByWith.add(b);
                perDayWithout.add(without[0]);
                groupByWithout.add(without[1]);
            }
        }
        return new Result(
                window, median(perDayWith), median(perDayWithout), median(groupByWith), median(groupByWithout), rounds);
    }

    interface Work<T> {
        T run() throws Exception;
    }

    /** Runs the work with both confidence indexes dropped, in a transaction that is rolled back. */
    static <T> T withoutIndexes(Connection connection, Work<T> work) throws Exception {
        connection.setAutoCommit(false);
        try {
            for (String index : INDEXES) {
                connection.createStatement().execute("DROP INDEX " + index);
            }
            return work.run();
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }

    /** One run, planned afresh (no server-side prepared statement), every row read. */
    static double time(Connection connection, Form form, Window window) throws SQLException {
        long start = System.nanoTime();
        try (PreparedStatement statement = connection.prepareStatement(form.sql())) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            form.binder().bind(statement, window);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    rows.getDouble(3);
                }
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * The N+1 form over the window, interleaved with the per-day statement (with its index): the ids of each day
     * (one range statement per day), then one statement per extraction by id. Its answer is checked against the
     * single statement's.
     */
    static NPlusOne nPlusOne(Connection connection, Window window, int runs, boolean byKey) throws Exception {
        Form perDay = perDay();
        List<Day> expected = answer(connection, perDay, window);
        List<Double> many = new ArrayList<>();
        List<Double> single = new ArrayList<>();
        long statements = 0;
        for (int run = 0; run < runs + 2; run++) {
            long start = System.nanoTime();
            statements = 0;
            List<Day> days = new ArrayList<>();
            try (var ids = connection.prepareStatement(
                            "SELECT id, created_at FROM invoice_extractions WHERE created_at >= ? AND created_at < ?");
                    var one = connection.prepareStatement(
                            byKey
                                    ? "SELECT overall_confidence FROM invoice_extractions WHERE id = ? AND created_at = ?"
                                    : "SELECT overall_confidence FROM invoice_extractions WHERE id = ?")) {
                for (LocalDate day = window.from(); day.isBefore(window.to()); day = day.plusDays(1)) {
                    ids.setObject(1, day.atStartOfDay(window.zone()).toOffsetDateTime());
                    ids.setObject(2, day.plusDays(1).atStartOfDay(window.zone()).toOffsetDateTime());
                    statements++;
                    List<Long> dayIds = new ArrayList<>();
                    List<OffsetDateTime> created = new ArrayList<>();
                    try (var rows = ids.executeQuery()) {
                        while (rows.next()) {
                            dayIds.add(rows.getLong(1));
                            created.add(rows.getObject(2, OffsetDateTime.class));
                        }
                    }
                    double sum = 0;
                    long below = 0;
                    for (int i = 0; i < dayIds.size(); i++) {
                        one.setLong(1, dayIds.get(i));
                        if (byKey) {
                            one.setObject(2, created.get(i));
                        }
                        statements++;
                        try (var rows = one.executeQuery()) {
                            rows.next();
                            double confidence = rows.getDouble(1);
                            sum += confidence;
                            below += confidence < THRESHOLD ? 1 : 0;
                        }
                    }
                    if (!dayIds.isEmpty()) {
                        days.add(new Day(day, dayIds.size(), sum / dayIds.size(), below));
                    }
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            double oneStatement = time(connection, perDay, window);
            if (run == 0) {
                check(window + ": N+1 vs per-day ranges", expected, days);
            }
            if (run >= 2) {
                many.add(millis);
                single.add(oneStatement);
            }
        }
        return new NPlusOne(window, statements, median(many), median(single), runs);
    }

    /**
     * The quiet profile: EXPLAIN (ANALYZE, BUFFERS, TIMING, FORMAT JSON) of the form runs times; per plan node its
     * median inclusive time (actual total time x loops) and exclusive time (minus its children), never-executed
     * nodes left out. TIMING itself costs per row (two clock reads per node and row), so the sum exceeds the
     * statement's untimed execution, printed beside it (median of EXPLAIN (ANALYZE, TIMING OFF)).
     */
    static List<String> profile(Connection connection, Form form, Window window, int runs) throws SQLException {
        Map<String, List<double[]>> nodes = new LinkedHashMap<>();
        List<Double> planning = new ArrayList<>();
        List<Double> execution = new ArrayList<>();
        List<Double> untimed = new ArrayList<>();
        List<Double> jit = new ArrayList<>();
        for (int run = 0; run < runs + 1; run++) {
            JsonObject top = explainJson(connection, form, window, "ANALYZE, BUFFERS, TIMING");
            JsonObject untimedTop = explainJson(connection, form, window, "ANALYZE, TIMING OFF");
            if (run == 0) {
                continue;
            }
            planning.add(top.getJsonNumber("Planning Time").doubleValue());
            execution.add(top.getJsonNumber("Execution Time").doubleValue());
            untimed.add(untimedTop.getJsonNumber("Execution Time").doubleValue());
            // LLVM compilation happens during execution and is charged to the first node that evaluates an expression.
            jit.add(
                    top.containsKey("JIT")
                            ? top.getJsonObject("JIT")
                                    .getJsonObject("Timing")
                                    .getJsonNumber("Total")
                                    .doubleValue()
                            : 0);
            collect(top.getJsonObject("Plan"), "", new LinkedHashMap<>(), nodes);
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "%s, %s: planning %.2f ms, execution %.2f ms (with per-node timing) / %.2f ms (TIMING OFF), of which"
                        + " JIT compilation %.2f ms; medians of %d",
                form.name(),
                window,
                median(planning),
                median(execution),
                median(untimed),
                median(jit),
                runs));
        lines.add("| node | loops | rows | inclusive ms | exclusive ms | buffers | heap fetches |");
        lines.add("|---|---|---|---|---|---|---|");
        nodes.forEach((node, samples) -> {
            if (samples.size() < runs) {
                return;
            }
            lines.add(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %,.0f | %.2f | %.2f | %.0f | %.0f |",
                    node,
                    median(samples.stream().map(s -> s[0]).toList()),
                    median(samples.stream().map(s -> s[1]).toList()),
                    median(samples.stream().map(s -> s[2]).toList()),
                    median(samples.stream().map(s -> s[3]).toList()),
                    median(samples.stream().map(s -> s[4]).toList()),
                    median(samples.stream().map(s -> s[5]).toList())));
        });
        return lines;
    }

    private static JsonObject explainJson(Connection connection, Form form, Window window, String options)
            throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("EXPLAIN (" + options + ", FORMAT JSON) " + form.sql())) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            form.binder().bind(statement, window);
            try (var rows = statement.executeQuery()) {
                rows.next();
                JsonArray plans =
                        Json.createReader(new StringReader(rows.getString(1))).readArray();
                return plans.getJsonObject(0);
            }
        }
    }

    /**
     * Depth-first; returns the node's inclusive time. Samples: loops, rows, inclusive, exclusive, shared hit, heap
     * fetches. A name met twice in one plan gets "#2".
     */
    private static double collect(
            JsonObject node, String indent, Map<String, Integer> seen, Map<String, List<double[]>> nodes) {
        double loops = node.getJsonNumber("Actual Loops").doubleValue();
        double inclusive = node.getJsonNumber("Actual Total Time").doubleValue() * loops;
        double children = 0;
        String name = indent
                + node.getString("Node Type")
                + (node.containsKey("Index Name")
                        ? " " + node.getString("Index Name")
                        : node.containsKey("Relation Name") ? " " + node.getString("Relation Name") : "")
                + (node.containsKey("Strategy") ? " (" + node.getString("Strategy") + ")" : "");
        int occurrence = seen.merge(name, 1, Integer::sum);
        String key = occurrence == 1 ? name : name + " #" + occurrence;
        List<double[]> samples = nodes.computeIfAbsent(key, k -> new ArrayList<>());
        if (node.containsKey("Plans")) {
            for (var child : node.getJsonArray("Plans")) {
                children += collect(child.asJsonObject(), indent + "-> ", seen, nodes);
            }
        }
        if (loops > 0) {
            samples.add(new double[] {
                loops,
                node.getJsonNumber("Actual Rows").doubleValue() * loops,
                inclusive,
                inclusive - children,
                number(node, "Shared Hit Blocks") + number(node, "Shared Read Blocks"),
                number(node, "Heap Fetches")
            });
        }
        return inclusive;
    }

    private static double number(JsonObject node, String key) {
        return node.containsKey(key) ? node.getJsonNumber(key).doubleValue() : 0;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
