package com.apintake.tools;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Part 7 of the benchmark harness: the read-path targets of issue 11, measured in the harness's run
 * (same database, same machine load), each ending as a row of one target table.
 */
final class ReadPath {

    static final String PAGE = "/api/v1/invoices?workflowStatus=PENDING_APPROVAL&limit=50";
    static final int[] LEVELS = {10, 50, 100, 200, 400};

    private ReadPath() {}

    /**
     * Brings the rollups up to date after the data generation and says how long it took. The generator
     * writes past timestamps, which the drain does not look at: the first request rebuilds the span of
     * the generated facts (a day of slack either side for the time zone), the next ones drain the rest.
     */
    static void refreshRollups(Benchmarks bench) throws Exception {
        String span;
        try (var connection = bench.postgres().connect(bench.database());
                var rows = connection.createStatement().executeQuery("""
                        SELECT 'from=' || (min(first)::date - 1) || '&to=' || (max(last)::date + 2)
                        FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM invoice_extractions
                              UNION ALL SELECT min(created_at), max(coalesce(resolved_at, created_at)) FROM exceptions
                              UNION ALL SELECT min(created_at), max(created_at) FROM validations
                              UNION ALL SELECT min(created_at), max(created_at) FROM staged_exports) s
                        HAVING min(first) IS NOT NULL""")) {
            span = rows.next() ? rows.getString(1) : null;
        }
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        long pending;
        int rounds = 0;
        do {
            String path = rounds == 0 && span != null
                    ? "/api/v1/analytics/rollups/rebuild?" + span
                    : "/api/v1/analytics/rollups/refresh";
            var response = http.send(
                    bench.withCredentials(HttpRequest.newBuilder(URI.create(bench.root() + path)))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .timeout(Duration.ofMinutes(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "rollup refresh answered " + response.statusCode() + ": " + response.body());
            }
            var matcher =
                    java.util.regex.Pattern.compile("\"pendingMarks\":(\\d+)").matcher(response.body());
            pending = matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
            rounds++;
        } while (pending > 0 && rounds < 100);
        bench.print(
                "Rollups: brought up to date after the data generation in %.1f s (POST /api/v1/analytics/rollups/rebuild, then /refresh).",
                (System.nanoTime() - start) / 1e9);
    }

    static void run(Benchmarks bench, int seconds) throws Exception {
        bench.heading("7. Read path (issue 11)");
        try (Connection connection = bench.postgres().connect(bench.database())) {
            confidence(bench, connection);
            pruning(bench, connection);
            bench.print("");
            bench.print(
                    "Each analytics question as SQL over JDBC: the seed's aggregation over the facts against the rollup"
                            + " statement the application runs now (medians; \"execution\" is PostgreSQL's own time from"
                            + " EXPLAIN ANALYZE, which the machine's load distorts least).");
            bench.print("");
            bench.print("| question | days | seed SQL ms | rollup SQL ms | rollup execution ms | speed-up |");
            bench.print("|---|---|---|---|---|---|");
            for (var row : AnalyticsSql.measure(connection)) {
                bench.print(
                        "| %s | %d | %.1f | %.2f | %.3f | %.0fx |",
                        row.question(),
                        row.days(),
                        row.seedMillis(),
                        row.rollupMillis(),
                        row.rollupExecutionMillis(),
                        row.seedMillis() / row.rollupMillis());
            }
        }
        exporterComparison(bench);
        overload(bench, seconds);
        bench.target("scripts/generate-data.sh 10m under 20 minutes", "not run in this harness run", false);
        bench.heading("Targets of issue 11 at this size");
        bench.print("| target | measured | verdict |");
        bench.print("|---|---|---|");
        for (String[] row : bench.targets) {
            bench.print("| %s | %s | %s |", row[0], row[1], row[2]);
        }
    }

    // ---------------------------------------------------------------- confidence, index-only

    /** --only confidence: part 7's confidence and pruning rows alone on the reused database (no Payara needed). */
    static void confidenceOnly(Benchmarks bench) throws Exception {
        bench.heading("7. Confidence aggregation and partition pruning (issue 11), alone");
        try (Connection connection = bench.postgres().connect(bench.database())) {
            confidence(bench, connection);
            pruning(bench, connection);
        }
    }

    /**
     * The two confidence targets (ConfidenceAggregation): the per-day statement the product runs with its index
     * against the same statement without it, and against its N+1 form, 30 and 366 days in UTC (the harness
     * server's apintake.analytics.time-zone), both forms checked equal first.
     */
    private static void confidence(Benchmarks bench, Connection connection) throws Exception {
        // Index-only needs the visibility map: the intake parts wrote new pages since the harness's VACUUM.
        connection.createStatement().execute("VACUUM (ANALYZE) invoice_extractions");
        // jit = off for the targets: with the server's default the no-index plans spend seconds compiling (see
        // docs/confidence-aggregation.md), which is JIT's cost, not the index's gain; the jit = on table follows.
        var results = ConfidenceAggregation.report(
                line -> bench.print("%s", line), connection, java.time.ZoneId.of("UTC"), false, 15, 5, 3);
        ConfidenceAggregation.report(
                line -> bench.print("%s", line), connection, java.time.ZoneId.of("UTC"), true, 5, 0, 0);
        connection.createStatement().execute("RESET jit");
        var month = (ConfidenceAggregation.Result) results.get("30 days");
        var year = (ConfidenceAggregation.Result) results.get("366 days");
        var byId = (ConfidenceAggregation.NPlusOne) results.get("n+1");
        var nPlusOne = (ConfidenceAggregation.NPlusOne) results.get("n+1 by key");
        bench.target(
                "Confidence aggregation with its index >= 10x without (index-only; same per-day statement, 30 days)",
                String.format(
                        Locale.ROOT,
                        "%.1fx (%.2f vs %.2f ms); 366 days %.1fx; against the best plan without the index (any form)"
                                + " %.1fx / %.1fx",
                        month.indexRatio(),
                        month.perDayWith(),
                        month.perDayWithout(),
                        year.indexRatio(),
                        month.bestWithout() / month.perDayWith(),
                        year.bestWithout() / year.perDayWith()),
                month.indexRatio() >= 10);
        bench.target(
                "Single aggregation >= 100x the N+1 form (30 days)",
                String.format(
                        Locale.ROOT,
                        "%.0fx (N+1 by key %.0f ms, %,d statements, vs %.2f ms); part 3's by-id form %.0fx",
                        nPlusOne.ratio(),
                        nPlusOne.nPlusOneMedian(),
                        nPlusOne.statements(),
                        nPlusOne.singleMedian(),
                        byId.ratio()),
                nPlusOne.ratio() >= 100);
    }

    /** The time-bounded queries on the partitioned tables read only the partitions of their window. */
    private static void pruning(Benchmarks bench, Connection connection) throws Exception {
        LocalDate to = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        var outcomes = PartitionPruning.check(connection, to.minusDays(30), to);
        PartitionPruning.report(line -> bench.print("%s", line), connection, to.minusDays(30), to);
        long pruned = outcomes.stream().filter(PartitionPruning.Outcome::pruned).count();
        bench.target(
                "Partition pruning on validations, invoice_extractions, audit_log (30-day queries)",
                String.format(
                        Locale.ROOT,
                        "%d of %d queries read only their window's partitions (%s)",
                        pruned,
                        outcomes.size(),
                        outcomes.stream()
                                .map(o -> o.probe().table() + " " + o.read().size() + "/" + o.total())
                                .distinct()
                                .collect(java.util.stream.Collectors.joining(", "))),
                pruned == outcomes.size());
    }

    // ---------------------------------------------------------------- dashboard vs postgres_exporter

    private static void exporterComparison(Benchmarks bench) throws Exception {
        Path exporter = Path.of("/usr/bin/prometheus-postgres-exporter");
        if (!Files.isExecutable(exporter)) {
            bench.target("Dashboard p95 <= postgres_exporter scrape p95", "exporter not installed", false);
            return;
        }
        int port = com.apintake.testsupport.PayaraMicroLaunch.freePort();
        ProcessBuilder builder = new ProcessBuilder(
                        exporter.toString(), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment()
                .put(
                        "DATA_SOURCE_NAME",
                        "postgresql://postgres@127.0.0.1:" + bench.postgres().port() + "/" + bench.database()
                                + "?sslmode=disable");
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
            var scrape = HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(30))
                    .build();
            // Until the exporter listens: not timed.
            while (true) {
                try {
                    http.send(scrape, HttpResponse.BodyHandlers.discarding());
                    break;
                } catch (ConnectException notYet) {
                    Thread.sleep(500);
                }
            }
            var stats = Latencies.sequential(5, 50, () -> {
                var response = http.send(scrape, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200 || !response.body().contains("pg_up 1")) {
                    throw new IllegalStateException("postgres_exporter: " + response.statusCode());
                }
            });
            double exporterP95 = stats.p95();
            bench.print("");
            bench.print(
                    "postgres_exporter 0.11 (Debian `prometheus-postgres-exporter`, default collectors) on the same"
                            + " database in this run: scrape median %.1f ms, p95 %.1f ms; the dashboard's p95 (part 2): %.1f ms.",
                    stats.median(), exporterP95, bench.dashboardP95);
            bench.target(
                    "Dashboard p95 <= postgres_exporter scrape p95 (same run)",
                    String.format(Locale.ROOT, "%.1f ms vs %.1f ms", bench.dashboardP95, exporterP95),
                    bench.dashboardP95 <= exporterP95);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- overload

    record Cell(
            int clients,
            double okPerSecond,
            long ok,
            long refused,
            double p99,
            double refusedMax,
            Map<String, Long> errors,
            String versions) {
        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * --only overload: the overload part alone; --only overload11: only its target rows' configuration (admission
     * limit on, HTTP/1.1 client), one server start instead of two.
     */
    static void overloadOnly(Benchmarks bench, int seconds, boolean targetRowsOnly) throws Exception {
        bench.heading("7. Overload (issue 11), alone");
        if (targetRowsOnly) {
            overload(bench, seconds, new boolean[] {true}, new HttpClient.Version[] {HttpClient.Version.HTTP_1_1});
        } else {
            overload(bench, seconds);
        }
    }

    private static void overload(Benchmarks bench, int seconds) throws Exception {
        overload(bench, seconds, new boolean[] {false, true}, new HttpClient.Version[] {
            HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1
        });
    }

    private static void overload(
            Benchmarks bench, int seconds, boolean[] admissions, HttpClient.Version[] clientVersions) throws Exception {
        Map<String, String> pool =
                Map.of("DATABASE_POOL_SIZE", "25", "DATABASE_MAX_OVERFLOW", "50", "DATABASE_POOL_TIMEOUT", "30");
        bench.print("");
        bench.print(
                "Overload: `GET %s` for %d s per cell from 10 to 400 clients, prod pool (25 + 50, max wait 30 s). Cells:"
                        + " answered 200/s, p99 ms of those, 503s (slowest 503 ms), errors by kind. \"Default client\" is"
                        + " java.net.http with its defaults, as parts 2, 4 and 5 use it (it offers HTTP/2 by h2c upgrade);"
                        + " \"HTTP/1.1 client\" forces HTTP/1.1.",
                PAGE, seconds);
        List<Cell> admitted = null;
        for (boolean admission : admissions) {
            bench.restartPayara(pool, admission ? Map.of() : Map.of("apintake.admission.max-concurrent", "0"));
            for (HttpClient.Version version : clientVersions) {
                String label = (admission ? "admission limit on (default 16, 500 ms)" : "admission limit off")
                        + (version == HttpClient.Version.HTTP_2 ? ", default client" : ", HTTP/1.1 client");
                bench.print("");
                bench.print(
                        "| %s | 200/s | p99 ms | 503s (slowest ms) | errors | protocol | CPU s Payara / PostgreSQL / load generator |",
                        label);
                bench.print("|---|---|---|---|---|---|---|");
                List<Cell> cells = new ArrayList<>();
                for (int clients : LEVELS) {
                    CpuMeter.Reading before =
                            CpuMeter.read(bench.payaraPid(), bench.postgres().dataDir());
                    Cell cell = cell(bench, clients, seconds, version);
                    CpuMeter.Reading cpu = CpuMeter.read(
                                    bench.payaraPid(), bench.postgres().dataDir())
                            .minus(before);
                    cells.add(cell);
                    bench.print(
                            "| %d clients | %.0f | %.0f | %d (%.0f) | %s | %s | %.1f / %.1f / %.1f |",
                            clients,
                            cell.okPerSecond(),
                            cell.p99(),
                            cell.refused(),
                            cell.refusedMax(),
                            cell.errors().isEmpty() ? "0" : cell.errors().toString(),
                            cell.versions(),
                            cpu.payara(),
                            cpu.postgres(),
                            cpu.harness());
                }
                if (admission && version == HttpClient.Version.HTTP_1_1) {
                    admitted = cells;
                }
            }
        }
        double peak = admitted.stream().mapToDouble(Cell::okPerSecond).max().orElse(0);
        Cell at400 = admitted.get(admitted.size() - 1);
        long errors = admitted.stream().mapToLong(Cell::errorCount).sum();
        bench.target(
                "Throughput at 400 clients >= 90 % of the peak (admission on, HTTP/1.1 client)",
                String.format(
                        Locale.ROOT,
                        "%.0f/s of peak %.0f/s (%.0f %%)",
                        at400.okPerSecond(),
                        peak,
                        100 * at400.okPerSecond() / peak),
                at400.okPerSecond() >= 0.9 * peak);
        bench.target(
                "Zero socket errors or timeouts from 10 to 400 clients (admission on, HTTP/1.1 client)",
                errors + " errors",
                errors == 0);
        double slowest503 =
                admitted.stream().mapToDouble(Cell::refusedMax).max().orElse(0);
        bench.target(
                "Beyond capacity: fast 503 with Retry-After, never a hung connection",
                String.format(Locale.ROOT, "%d 503s at 400 clients, slowest %.0f ms", at400.refused(), slowest503),
                at400.refused() > 0 && slowest503 < 5000);
    }

    static Cell cell(Benchmarks bench, int clients, int seconds, HttpClient.Version version) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(version)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Double> ok = Collections.synchronizedList(new ArrayList<>());
        List<Double> refused = Collections.synchronizedList(new ArrayList<>());
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        Map<String, LongAdder> versions = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        URI page = URI.create(bench.root() + PAGE);
        for (int c = 0; c < clients; c++) {
            futures.add(threads.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    try {
                        var response = http.send(
                                bench.withCredentials(HttpRequest.newBuilder(page))
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        double millis = (System.nanoTime() - begin) / 1e6;
                        versions.computeIfAbsent(response.version().toString(), k -> new LongAdder())
                                .increment();
                        if (response.statusCode() == 200) {
                            ok.add(millis);
                        } else if (response.statusCode() == 503
                                && response.headers().firstValue("Retry-After").isPresent()) {
                            refused.add(millis);
                            // What Retry-After asks (seconds).
                            Thread.sleep(1000L
                                    * Long.parseLong(response.headers()
                                            .firstValue("Retry-After")
                                            .get()
                                            .trim()));
                        } else {
                            errors.computeIfAbsent("HTTP " + response.statusCode(), k -> new LongAdder())
                                    .increment();
                        }
                    } catch (HttpConnectTimeoutException e) {
                        errors.computeIfAbsent("connect timeout", k -> new LongAdder())
                                .increment();
                    } catch (HttpTimeoutException e) {
                        errors.computeIfAbsent("client timeout 60 s", k -> new LongAdder())
                                .increment();
                    } catch (IOException e) {
                        errors.computeIfAbsent(kind(e), k -> new LongAdder()).increment();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        threads.shutdownNow();
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        Map<String, Long> versionCounts = new TreeMap<>();
        versions.forEach((k, v) -> versionCounts.put(k, v.sum()));
        return new Cell(
                clients,
                ok.size() / elapsed,
                ok.size(),
                refused.size(),
                Latencies.Stats.of(ok).p99(),
                refused.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                errorCounts,
                versionCounts.toString());
    }

    /** The exception's class and message, shortened, so the causes can be told apart in the table. */
    private static String kind(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage()).replaceAll("[|\\n]", " ");
        if (message.length() > 60) {
            message = message.substring(0, 60);
        }
        return root.getClass().getSimpleName() + ": " + message;
    }
}
