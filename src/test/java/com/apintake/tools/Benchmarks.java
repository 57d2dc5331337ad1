package com.apintake.tools;

import com.apintake.testsupport.Folders;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import com.apintake.tools.Latencies.Stats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark harness behind the speed claims (scripts/benchmark.sh). It starts its own
 * PostgreSQL 15 (pg_stat_statements preloaded) under target/bench, applies the changelog, fills
 * the database with a realistic AP history, then measures, each time against a baseline taken in
 * the same run:
 * <ol>
 *   <li>each of the seven index-backed queries with its index and without it (dropped inside a
 *       transaction that is rolled back, so the index is back afterwards);
 *   <li>the analytics endpoints (and the monitoring dashboard when it exists) over HTTP;
 *   <li>the N+1 form of the confidence analytics against the single aggregation;
 *   <li>intake over HTTP/1.1 with 8 clients, synchronous and asynchronous, and the workers draining
 *       the backlog, each after a warm-up and against pgbench writing the same rows; with
 *       --intake-only alone on an empty database (--backlog N, --warmup S, --jfr DIR for a JFR
 *       recording of Payara per part);
 *   <li>a pool sweep (PoolSweep): throughput by pool size to find the knee, and the pool size the
 *       recommendations endpoint recommends from what it observed;
 *   <li>the cache hit ratio over the HTTP workload.
 * </ol>
 * It prints a results table and rewrites its section of docs/benchmarks.md. Medians and ratios,
 * because the machine is small and shared. Never part of `mvn verify`.
 */
public final class Benchmarks {

    private static final String BEGIN = "<!-- benchmark-harness:begin -->";
    private static final String END = "<!-- benchmark-harness:end -->";
    private static final String DATABASE = "ap_intake_bench";
    private static final String USER = "postgres";

    private final Path basedir = Path.of("").toAbsolutePath();
    private final Path work = basedir.resolve("target/bench");
    private final StringBuilder report = new StringBuilder();
    // HTTP/1.1: java.net.http's default upgrades to cleartext HTTP/2 (h2c) and multiplexes every request
    // on one connection, which Payara Micro 6.2025.10 ends with GOAWAY at 200+ streams (docs/read-path.md).
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    // The intake's uploads go over HTTP/1.1: java.net.http's default h2c upgrade multiplexes every client on
    // one connection, and Payara drops HTTP/2 connections under many streams (GOAWAY, see part 7).
    private final HttpClient http11 = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    /** --backlog: invoices the workers drain in part 4c. */
    private int backlog = 10_000;
    /** --warmup: seconds of the same requests before each measured intake part. */
    private int warmup = 15;
    /** --jfr DIR: a JFR recording (profile settings) of Payara during each intake part, written to DIR. */
    private Path jfr;

    private final String adminUser = "bench";
    private final String adminPassword = "bench-" + Long.toHexString(System.nanoTime());
    private PostgresServer postgres;
    private Process payara;
    private String root;

    // Read path (issue 11, see ReadPath): every target with its measurement, printed as one table.
    final List<String[]> targets = new ArrayList<>();
    double nPlusOneMillis = Double.NaN;
    double dashboardP95 = Double.NaN;

    void target(String target, String measured, boolean met) {
        targets.add(new String[] {target, measured, met ? "met" : "missed"});
    }

    PostgresServer postgres() {
        return postgres;
    }

    String root() {
        return root;
    }

    String database() {
        return DATABASE;
    }

    void restartPayara(Map<String, String> poolSettings, Map<String, String> applicationSettings) throws Exception {
        stopPayara();
        startPayara(poolSettings, applicationSettings);
    }

    long payaraPid() {
        return payara == null ? -1 : payara.pid();
    }

    HttpRequest.Builder withCredentials(HttpRequest.Builder request) {
        return authorized(request);
    }

    void print(String format, Object... arguments) {
        line(format, arguments);
    }

    void heading(String title) {
        section(title);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        long invoices = DataGenerator.parse(options.getOrDefault("invoices", "1m"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
        if (options.containsKey("intake-only")) {
            Benchmarks benchmarks = new Benchmarks();
            benchmarks.backlog = Integer.parseInt(options.getOrDefault("backlog", "10000"));
            benchmarks.warmup = Integer.parseInt(options.getOrDefault("warmup", "15"));
            if (options.containsKey("jfr")) {
                benchmarks.jfr =
                        Files.createDirectories(Path.of(options.get("jfr")).toAbsolutePath());
            }
            benchmarks.intakeOnly(seconds);
            System.out.println(benchmarks.report);
            return;
        }
        if (options.containsKey("only")) {
            Benchmarks benchmarks = new Benchmarks();
            benchmarks.sweepSeconds = Integer.parseInt(
                    options.getOrDefault("sweep-seconds", Integer.toString(PoolSweep.DEFAULT_CELL_SECONDS)));
            benchmarks.only(invoices, seconds, List.of(options.get("only").split(",")));
            System.out.println(benchmarks.report);
            return;
        }
        Benchmarks benchmarks = new Benchmarks();
        benchmarks.skipIntake = options.containsKey("skip-intake");
        benchmarks.run(invoices, seconds, options.containsKey("reuse"));
    }

    /**
     * --skip-intake: part 4 is not run and its section in docs/benchmarks.md is carried over as it is
     * (it takes up to half an hour here and has its own runs: --intake-only).
     */
    boolean skipIntake;

    private static final String INTAKE_KEPT = "<!-- section 4 kept from the previous run -->";

    private void run(long invoices, int seconds, boolean reuse) throws Exception {
        String command = "scripts/benchmark.sh --invoices " + invoices + " --seconds " + seconds
                + (reuse ? " --reuse" : "") + (skipIntake ? " --skip-intake" : "");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        Files.createDirectories(work);
        if (!reuse) {
            stopStalePostgres();
            Folders.deleteRecursively(work.resolve("postgres"));
        }
        postgres = new PostgresServer(work.resolve("postgres"), PayaraMicroLaunch.freePort(), USER, null);
        if (postgres.isRunning()) {
            postgres.stop();
        }
        postgres.start();
        postgres.createDatabaseIfMissing(DATABASE);
        Schema.apply(basedir, postgres.jdbcUrl(DATABASE), USER, null);
        try (Connection connection = postgres.connect(DATABASE)) {
            long present = single(connection, "SELECT count(*) FROM invoices");
            if (present < invoices) {
                Instant start = Instant.now();
                System.out.printf(Locale.ROOT, "Generating %,d invoices...%n", invoices - present);
                new ApHistory(connection, 100_000)
                        .generate(invoices - present, done -> System.out.printf(Locale.ROOT, "  %,d%n", done));
                line(
                        "Data: generated %,d invoices in %.0f s (scripts/generate-data.sh does the same).",
                        invoices - present, seconds(start));
            }
            // The harness's admin is created afresh (ADMIN_USER/ADMIN_PASSWORD) when no user exists: a reused
            // database still holds the previous run's, whose password is gone.
            connection.createStatement().execute("TRUNCATE user_roles, users");
            connection.createStatement().execute("VACUUM ANALYZE");
            line(
                    "Database: %,d invoices, %,d validations, %,d exceptions; %s on disk.",
                    single(connection, "SELECT count(*) FROM invoices"),
                    single(connection, "SELECT count(*) FROM validations"),
                    single(connection, "SELECT count(*) FROM exceptions"),
                    text(connection, "SELECT pg_size_pretty(pg_database_size(current_database()))"));
            indexes(connection);
            nPlusOne(connection);
        }
        startPayara(Map.of());
        ReadPath.refreshRollups(this);
        long[] cacheBefore = cache();
        Map<String, Long> readsBefore = CacheProfile.blockReads(postgres.connect(DATABASE));
        endpoints();
        long[] cacheAfterReads = cache();
        Map<String, Long> readsAfterReads = CacheProfile.blockReads(postgres.connect(DATABASE));
        if (skipIntake) {
            line(INTAKE_KEPT);
        } else {
            intake(seconds);
        }
        long[] cacheAfterIntake = cache();
        Map<String, Long> readsAfterIntake = CacheProfile.blockReads(postgres.connect(DATABASE));
        double readHit = cacheRatio(cacheBefore, cacheAfterReads);
        double intakeHit = cacheRatio(cacheAfterReads, cacheAfterIntake);
        double hit = cacheRatio(cacheBefore, cacheAfterIntake);
        poolSweep(seconds);
        line("");
        line("### 6. Cache hit ratio over the HTTP workload (parts 2 and 4)");
        line("");
        String sharedBuffers;
        try (Connection connection = postgres.connect(DATABASE)) {
            sharedBuffers = text(connection, "SHOW shared_buffers");
        }
        line(
                "Shared-buffer hits / (hits + reads) as the delta of `pg_stat_database` over each workload (the data"
                        + " generation and the rollup rebuild before it are not counted). shared_buffers: %s.",
                sharedBuffers);
        line("");
        line("| workload | hits | reads | ratio | target >= 99 % |");
        line("|---|---|---|---|---|");
        line(
                "| read path (part 2: analytics, pages, dashboard) | %,d | %,d | %.2f %% | %s |",
                cacheAfterReads[0] - cacheBefore[0],
                cacheAfterReads[1] - cacheBefore[1],
                readHit * 100,
                readHit >= 0.99 ? "met" : "missed");
        if (!skipIntake) {
            line(
                    "| intake and its pgbench baselines (part 4) | %,d | %,d | %.2f %% | %s |",
                    cacheAfterIntake[0] - cacheAfterReads[0],
                    cacheAfterIntake[1] - cacheAfterReads[1],
                    intakeHit * 100,
                    intakeHit >= 0.99 ? "met" : "missed");
            line("| both | | | %.2f %% | %s |", hit * 100, hit >= 0.99 ? "met" : "missed");
        }
        line("");
        line(
                "Blocks read from outside shared buffers (`pg_statio_user_tables`, heap + index + toast), top relations:"
                        + " read path: %s; intake: %s.",
                CacheProfile.top(readsBefore, readsAfterReads, 5),
                CacheProfile.top(readsAfterReads, readsAfterIntake, 5));
        target(
                "Cache hit ratio over the read-path workload (part 2) >= 99 %",
                (skipIntake
                        ? String.format(Locale.ROOT, "%.2f %% (part 4 not run)", readHit * 100)
                        : String.format(
                                Locale.ROOT, "%.2f %% (with intake, part 4: %.2f %%)", readHit * 100, hit * 100)),
                readHit >= 0.99);
        ReadPath.run(this, seconds);
        stopAll();
        write(command, invoices);
    }

    /**
     * --only sweep,overload (or overload11: admission on, HTTP/1.1 only): part 5 and/or part 7's overload alone, on
     * the reused (or generated) database;
     * the report is printed, docs/benchmarks.md is left alone (paste the measured rows by hand).
     */
    private void only(long invoices, int seconds, List<String> parts) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        Files.createDirectories(work);
        postgres = new PostgresServer(work.resolve("postgres"), PayaraMicroLaunch.freePort(), USER, null);
        if (postgres.isRunning()) {
            postgres.stop();
        }
        postgres.start();
        postgres.createDatabaseIfMissing(DATABASE);
        Schema.apply(basedir, postgres.jdbcUrl(DATABASE), USER, null);
        try (Connection connection = postgres.connect(DATABASE)) {
            long present = single(connection, "SELECT count(*) FROM invoices");
            if (present < invoices) {
                System.out.printf(Locale.ROOT, "Generating %,d invoices...%n", invoices - present);
                new ApHistory(connection, 100_000)
                        .generate(invoices - present, done -> System.out.printf(Locale.ROOT, "  %,d%n", done));
            }
            connection.createStatement().execute("TRUNCATE user_roles, users");
            connection.createStatement().execute("VACUUM ANALYZE");
            line(
                    "Database: %,d invoices; %s on disk.",
                    single(connection, "SELECT count(*) FROM invoices"),
                    text(connection, "SELECT pg_size_pretty(pg_database_size(current_database()))"));
        }
        if (parts.contains("sweep")) {
            poolSweep(seconds);
        }
        if (parts.contains("confidence")) {
            ReadPath.confidenceOnly(this);
        }
        if (parts.contains("overload") || parts.contains("overload11")) {
            ReadPath.overloadOnly(this, seconds, !parts.contains("overload"));
        }
        section("Targets measured");
        line("| target | measured | verdict |");
        line("|---|---|---|");
        for (String[] row : targets) {
            line("| %s | %s | %s |", row[0], row[1], row[2]);
        }
        stopAll();
    }

    // ---------------------------------------------------------------- 1. indexes

    private void indexes(Connection connection) throws Exception {
        Map<String, List<String>> queries = IndexQueries.byIndex(basedir);
        Map<String, String> parameters = IndexQueries.parameters(connection);
        section("1. The seven index-backed queries, with and without their index");
        line("Each query as written next to its index in liquibase/changes/002-performance-indexes.sql, 30 runs after 3"
                + " warm-ups; \"without\" drops the index inside a transaction that is rolled back (the planner then"
                + " uses the best remaining plan).");
        line("");
        line(
                "| index | query | with: median / p95 ms | without: median / p95 ms | speed-up (medians) | target >= 10x |");
        line("|---|---|---|---|---|---|");
        for (var entry : queries.entrySet()) {
            for (String query : entry.getValue()) {
                if (!query.startsWith("SELECT")) {
                    continue;
                }
                String sql = IndexQueries.bind(query, parameters);
                Stats with = time(connection, sql, 30);
                connection.setAutoCommit(false);
                Stats without;
                try {
                    connection.createStatement().execute("DROP INDEX " + entry.getKey());
                    without = time(connection, sql, 30);
                } finally {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
                double ratio = without.median() / with.median();
                line(
                        "| `%s` | `%s` | %.2f / %.2f | %.2f / %.2f | %.0fx | %s |",
                        entry.getKey(),
                        abbreviate(query),
                        with.median(),
                        with.p95(),
                        without.median(),
                        without.p95(),
                        ratio,
                        ratio >= 10 ? "met" : "missed");
            }
        }
    }

    private static Stats time(Connection connection, String sql, int runs) throws Exception {
        return Latencies.sequential(3, runs, () -> {
            try (var rows = connection.createStatement().executeQuery(sql)) {
                while (rows.next()) {
                    // read every row: the client-side cost belongs to the measurement
                }
            }
        });
    }

    // ---------------------------------------------------------------- 3. N+1

    private void nPlusOne(Connection connection) throws SQLException {
        LocalDate to = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        LocalDate from = to.minusDays(30);
        String single = """
                SELECT (created_at AT TIME ZONE 'UTC')::date, avg((confidence_json ->> 'overall')::float)
                FROM invoice_extractions WHERE created_at >= ?::date AND created_at < ?::date GROUP BY 1 ORDER BY 1""";
        List<Double> singleTimes = new ArrayList<>();
        List<Double> nPlusOneTimes = new ArrayList<>();
        long statements = 0;
        for (int run = 0; run < 7; run++) {
            long start = System.nanoTime();
            try (var statement = connection.prepareStatement(single)) {
                statement.setString(1, from.toString());
                statement.setString(2, to.toString());
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        rows.getDouble(2);
                    }
                }
            }
            singleTimes.add((System.nanoTime() - start) / 1e6);

            // The N+1 form: the ids of each day's extractions, then one query per extraction.
            start = System.nanoTime();
            statements = 0;
            try (var ids = connection.prepareStatement(
                            "SELECT id FROM invoice_extractions WHERE created_at >= ?::date AND created_at < ?::date + 1");
                    var one = connection.prepareStatement(
                            "SELECT (confidence_json ->> 'overall')::float FROM invoice_extractions WHERE id = ?")) {
                for (LocalDate day = from; day.isBefore(to); day = day.plusDays(1)) {
                    ids.setString(1, day.toString());
                    ids.setString(2, day.toString());
                    statements++;
                    List<Long> dayIds = new ArrayList<>();
                    try (var rows = ids.executeQuery()) {
                        while (rows.next()) {
                            dayIds.add(rows.getLong(1));
                        }
                    }
                    double sum = 0;
                    for (long id : dayIds) {
                        one.setLong(1, id);
                        statements++;
                        try (var rows = one.executeQuery()) {
                            rows.next();
                            sum += rows.getDouble(1);
                        }
                    }
                    if (!dayIds.isEmpty() && sum < 0) {
                        throw new IllegalStateException("impossible");
                    }
                }
            }
            nPlusOneTimes.add((System.nanoTime() - start) / 1e6);
        }
        Stats one = Stats.of(singleTimes.subList(2, singleTimes.size()));
        Stats many = Stats.of(nPlusOneTimes.subList(2, nPlusOneTimes.size()));
        double ratio = many.median() / one.median();
        nPlusOneMillis = many.median();
        section("3. Daily confidence over 30 days: N+1 queries against one aggregation");
        line("Over JDBC on loopback, 5 runs after 2 warm-ups.");
        line("");
        line("| form | statements | median ms | p95 ms |");
        line("|---|---|---|---|");
        line(
                "| N+1 (ids per day, then one query per extraction) | %,d | %.1f | %.1f |",
                statements, many.median(), many.p95());
        line("| one SQL aggregation (`Analytics.CONFIDENCE`) | 1 | %.1f | %.1f |", one.median(), one.p95());
        line("");
        line("Speed-up: **%.0fx** (target >= 100x: %s).", ratio, ratio >= 100 ? "met" : "missed");
    }

    // ---------------------------------------------------------------- 2. endpoints

    private void endpoints() throws Exception {
        LocalDate to = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        String month = "from=" + to.minusDays(30) + "&to=" + to;
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("extraction-confidence (30 days)", "/api/v1/analytics/extraction-confidence?" + month);
        paths.put("exceptions (30 days)", "/api/v1/analytics/exceptions?" + month);
        paths.put("vendors (30 days, top 50)", "/api/v1/analytics/vendors?" + month + "&limit=50");
        paths.put("validations (30 days)", "/api/v1/analytics/validations?" + month);
        paths.put("exports (30 days)", "/api/v1/analytics/exports?" + month);
        String year = "from=" + to.minusDays(366) + "&to=" + to;
        paths.put("extraction-confidence (366 days)", "/api/v1/analytics/extraction-confidence?" + year);
        paths.put("exceptions (366 days)", "/api/v1/analytics/exceptions?" + year);
        paths.put("vendors (366 days, top 50)", "/api/v1/analytics/vendors?" + year + "&limit=50");
        paths.put("validations (366 days)", "/api/v1/analytics/validations?" + year);
        paths.put("exports (366 days)", "/api/v1/analytics/exports?" + year);
        paths.put(
                "invoices pending approval (page of 50)", "/api/v1/invoices?workflowStatus=PENDING_APPROVAL&limit=50");
        paths.put("exceptions open (page of 50)", "/api/v1/exceptions?resolved=false&limit=50");
        paths.put("database dashboard", "/api/v1/database/dashboard");
        section("2. Endpoint latency over HTTP");
        line("Sequential requests on loopback: 5 warm-ups, then 50 timed; client-side wall time.");
        line("");
        line("| endpoint | median ms | p95 ms | target p95 < 50 ms |");
        line("|---|---|---|---|");
        for (var entry : paths.entrySet()) {
            if (get(entry.getValue()).statusCode() == 404) {
                line("| %s | n/a | n/a | not built yet |", entry.getKey());
                continue;
            }
            Stats stats = Latencies.sequential(5, 50, () -> {
                var response = get(entry.getValue());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                            entry.getValue() + " answered " + response.statusCode() + ": " + response.body());
                }
            });
            line(
                    "| `%s` | %.1f | %.1f | %s |",
                    entry.getKey(), stats.median(), stats.p95(), stats.p95() < 50 ? "met" : "missed");
            if (entry.getValue().contains("/analytics/") || entry.getKey().equals("database dashboard")) {
                target(
                        "p95 < 50 ms: " + entry.getKey(),
                        String.format(Locale.ROOT, "%.1f ms", stats.p95()),
                        stats.p95() < 50);
            }
            if (entry.getKey().equals("database dashboard")) {
                dashboardP95 = stats.p95();
            }
        }
    }

    // ---------------------------------------------------------------- 4. intake

    /** Concurrent clients of every intake measurement and of its pgbench baseline. */
    private static final int INTAKE_CLIENTS = 8;

    /**
     * Section 4: the three intake paths, each as a ratio to pgbench writing the same rows on the same
     * database in the same run: synchronous REST (target >= 60 %), asynchronous acknowledgements
     * (>= 90 % of pgbench inserting the invoice, document and job rows) and the workers draining a
     * backlog of 10,000 (>= the synchronous rate). Leaves Payara running with the default settings.
     */
    private void intake(int seconds) throws Exception {
        byte[] template = Files.readAllBytes(basedir.resolve("src/test/resources/invoices/ubl-invoice.xml"));
        String xml = new String(template, StandardCharsets.UTF_8);
        AtomicLong sequence = new AtomicLong();
        String run = Long.toString(System.currentTimeMillis(), 36);
        RequestFactory sync = () -> upload(xml, run, sequence, false);
        RequestFactory async = () -> upload(xml, run, sequence, true);
        section("4. Intake: synchronous, asynchronous acknowledgements, worker drain; each against pgbench");
        line(
                "%d clients post distinct UBL 2.1 invoices (the 3-line sample, 8 KB, unique number, unknown seller so"
                        + " one exception each) over HTTP/1.1 for %d s per part, after %d s of the same requests as"
                        + " warm-up (not counted). pgbench runs %d clients on the same database right after, one"
                        + " transaction per invoice writing the same rows. Pool: dev defaults (2 + 8).",
                INTAKE_CLIENTS, seconds, warmup, INTAKE_CLIENTS);
        line("");

        // Parts 4a and 4b on one Payara with the workers off (4b builds the backlog for 4c), each after a
        // warm-up of the same requests: a server runs warm, and the first seconds after a boot are spent in
        // the JIT compiler and in first-use initialisation (the password hasher, Saxon's lazy compilation).
        stopPayara();
        startPayara(Map.of(), Map.of("apintake.intake.workers", "0"));
        load(http11, INTAKE_CLIENTS, warmup, sync);

        // 4a. synchronous REST, with pg_stat_statements over the run as the profile of what remains.
        resetStatements();
        long validationsBefore = count("validations");
        long invoicesBefore = count("invoices");
        line("Load average at the start (1, 5, 15 min): %s.", loadAverage());
        CpuMeter.Reading cpu = cpu();
        Load syncLoad = profiled("sync", () -> load(http11, INTAKE_CLIENTS, seconds, sync));
        CpuMeter.Reading syncCpu = cpu().minus(cpu);
        long perInvoice = Math.max(
                1,
                Math.round((count("validations") - validationsBefore)
                        / (double) Math.max(1, count("invoices") - invoicesBefore)));
        List<String> profile = topStatements(6);
        cpu = cpu();
        double pgSync = pgbench(seconds, syncScript(perInvoice));
        CpuMeter.Reading pgSyncCpu = cpu().minus(cpu);

        // 4b. asynchronous acknowledgements with the workers off, building the backlog for 4c.
        load(http11, INTAKE_CLIENTS, warmup, async);
        cpu = cpu();
        Load ackLoad = profiled("async", () -> load(http11, INTAKE_CLIENTS, seconds, async));
        CpuMeter.Reading ackCpu = cpu().minus(cpu);
        cpu = cpu();
        double pgAck = pgbench(seconds, ACK_SCRIPT);
        CpuMeter.Reading pgAckCpu = cpu().minus(cpu);
        // pgbench's jobs carry no invoice file: take them out, so the workers drain real uploads only.
        try (Connection connection = postgres.connect(DATABASE)) {
            connection.createStatement().execute("""
                    DELETE FROM intake_jobs j USING invoices i
                    WHERE i.id = j.invoice_id AND i.original_filename = 'bench.xml'""");
        }
        long queued = count("intake_jobs");
        while (queued < backlog) {
            load(http11, INTAKE_CLIENTS, 5, async);
            queued = count("intake_jobs");
        }

        // 4c. the workers drain the backlog: timed from readiness (they may start a little before).
        stopPayara();
        startPayara(Map.of(), Map.of());
        long atReady = count("intake_jobs");
        Instant drainStart = Instant.now();
        CpuMeter.Reading drainBefore = cpu();
        startRecording("drain");
        while (count("intake_jobs") > 0) {
            if (Duration.between(drainStart, Instant.now()).toMinutes() > 30) {
                throw new IllegalStateException("The backlog did not drain in 30 minutes");
            }
            Thread.sleep(200);
        }
        double drainSeconds = seconds(drainStart);
        CpuMeter.Reading drainCpu = cpu().minus(drainBefore);
        stopRecording("drain");
        double drainRate = atReady / drainSeconds;

        line("Load average at the end (1, 5, 15 min): %s.", loadAverage());
        line("");
        line("| path | intake | pgbench, same rows | ratio | target | verdict |");
        line("|---|---|---|---|---|---|");
        double syncRatio = syncLoad.throughput() / pgSync;
        line(
                "| synchronous REST (p50 %.0f ms, p99 %.0f ms, %d errors) | %.0f invoices/s | %.0f tx/s | %.0f %% | >= 60 %% | %s |",
                syncLoad.p50(),
                syncLoad.p99(),
                syncLoad.errors(),
                syncLoad.throughput(),
                pgSync,
                100 * syncRatio,
                syncRatio >= 0.6 ? "met" : "missed");
        double ackRatio = ackLoad.throughput() / pgAck;
        line(
                "| asynchronous acknowledgements, 202 (p50 %.0f ms, p99 %.0f ms, %d errors) | %.0f acks/s | %.0f tx/s | %.0f %% | >= 90 %% | %s |",
                ackLoad.p50(),
                ackLoad.p99(),
                ackLoad.errors(),
                ackLoad.throughput(),
                pgAck,
                100 * ackRatio,
                ackRatio >= 0.9 ? "met" : "missed");
        line(
                "| worker drain of a %,d backlog (4 workers, %.0f s) | %.0f invoices/s | sync %.0f invoices/s | %.0f %% of sync | >= 100 %% | %s |",
                atReady,
                drainSeconds,
                drainRate,
                syncLoad.throughput(),
                100 * drainRate / syncLoad.throughput(),
                drainRate >= syncLoad.throughput() ? "met" : "missed");
        line("");
        line(
                "pgbench rows per invoice: synchronous = invoice, document, extraction, %d validations (one multi-row"
                        + " INSERT), 1 exception, 1 audit entry; acknowledgement = invoice, document, queue job, audit entry.",
                perInvoice);
        line("");
        line("Where the two cores went, CPU ms per invoice (intake) or per transaction (pgbench), from /proc over each"
                + " part: Payara (of it its JIT compiler threads and its GC/VM threads), PostgreSQL (every backend), the load"
                + " generator (the harness's HTTP client, or pgbench), the rest of the machine, and the machine in all. The"
                + " machine in all per invoice, over pgbench's, is the ratio's ceiling if the cores were always busy.");
        line("");
        line("| part | rate/s | Payara (JIT, GC) | PostgreSQL | load generator | rest | machine | busy |");
        line("|---|---|---|---|---|---|---|---|");
        budget("synchronous REST", syncLoad.throughput(), seconds, syncCpu, false);
        budget("pgbench, synchronous rows", pgSync, seconds, pgSyncCpu, true);
        budget("202 acknowledgements", ackLoad.throughput(), seconds, ackCpu, false);
        budget("pgbench, acknowledgement rows", pgAck, seconds, pgAckCpu, true);
        budget("worker drain", drainRate, drainSeconds, drainCpu, false);
        line("");
        line("What remains (pg_stat_statements over part 4a, by total execution time):");
        line("");
        line("| statement | calls | total ms | mean ms |");
        line("|---|---|---|---|");
        profile.forEach(this::line);
    }

    private CpuMeter.Reading cpu() {
        return CpuMeter.read(payara.pid(), postgres.dataDir());
    }

    /** One row of the CPU budget: seconds of a part over the invoices (or pgbench transactions) it made. */
    private void budget(String part, double rate, double seconds, CpuMeter.Reading cpu, boolean pgbench) {
        double count = rate * seconds;
        double generator = pgbench ? cpu.children() : cpu.harness();
        double rest = cpu.machine() - cpu.payara() - cpu.postgres() - cpu.harness() - cpu.children();
        line(
                "| %s | %.0f | %.2f (%.2f, %.2f) | %.2f | %.2f | %.2f | **%.2f** | %.0f %% |",
                part,
                rate,
                1000 * cpu.payara() / count,
                1000 * cpu.payaraJit() / count,
                1000 * cpu.payaraGc() / count,
                1000 * cpu.postgres() / count,
                1000 * generator / count,
                1000 * (rest + (pgbench ? cpu.harness() : cpu.children())) / count,
                1000 * cpu.machine() / count,
                100 * cpu.machine() / (Runtime.getRuntime().availableProcessors() * seconds));
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    interface Part {
        Load run() throws Exception;
    }

    /** Runs one part under a JFR recording of Payara when --jfr is given. */
    private Load profiled(String name, Part part) throws Exception {
        startRecording(name);
        try {
            return part.run();
        } finally {
            stopRecording(name);
        }
    }

    private void startRecording(String name) throws IOException, InterruptedException {
        if (jfr != null) {
            jcmd("JFR.start", "name=" + name, "settings=profile", "filename=" + jfr.resolve(name + ".jfr"));
        }
    }

    private void stopRecording(String name) throws IOException, InterruptedException {
        if (jfr != null) {
            jcmd("JFR.stop", "name=" + name);
        }
    }

    private void jcmd(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(payara.pid())));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        System.out.println(String.join(" ", arguments) + ": " + output.strip());
    }

    private HttpRequest.Builder upload(String xml, String run, AtomicLong sequence, boolean async) {
        String body = xml.replace("INV-2024-0042", "BENCH-" + run + "-" + sequence.incrementAndGet());
        var request = HttpRequest.newBuilder(URI.create(root + "/api/v1/invoices"))
                .header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return async ? request.header("Prefer", "respond-async") : request;
    }

    private long count(String table) throws SQLException {
        try (Connection connection = postgres.connect(DATABASE)) {
            return single(connection, "SELECT count(*) FROM " + table);
        }
    }

    private void resetStatements() throws SQLException {
        try (Connection connection = postgres.connect(DATABASE)) {
            connection.createStatement().execute("SELECT pg_stat_statements_reset()");
        }
    }

    private List<String> topStatements(int limit) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = postgres.connect(DATABASE);
                var result = connection.createStatement().executeQuery("""
                        SELECT query, calls, total_exec_time, mean_exec_time FROM pg_stat_statements
                        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                        ORDER BY total_exec_time DESC LIMIT %d""".formatted(limit))) {
            while (result.next()) {
                rows.add(String.format(
                        Locale.ROOT,
                        "| `%s` | %,d | %.0f | %.2f |",
                        abbreviate(result.getString(1)).replace("|", "\\|"),
                        result.getLong(2),
                        result.getDouble(3),
                        result.getDouble(4)));
            }
        }
        return rows;
    }

    private static final String DOCUMENT_ROW =
            "INSERT INTO invoice_documents (invoice_id, content) VALUES (:id, convert_to(repeat(md5(random()::text), 257), 'UTF8'));\n";

    private static final String INVOICE_ROW = """
            INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, invoice_number, type_code,
                issue_date, due_date, currency, total_net, total_vat, total_gross, amount_due, status, workflow_status,
                uploaded_by)
            VALUES (md5(random()::text) || md5(random()::text), 'bench.xml', 'application/xml', 8224, 'PGB-' || :client_id,
                '380', current_date, current_date + 30, 'EUR', 1547.50, 248.13, 1795.63, 1696.00, 'PROCESSED',
                'EXCEPTIONS_FOUND', 'bench')
            RETURNING id \\gset
            """;

    private static final String AUDIT_ROW =
            "INSERT INTO audit_log (actor, action, subject, detail) VALUES ('bench', 'invoice.upload', 'invoice ' || :id, 'pgbench');\n";

    private static final String ACK_SCRIPT = "BEGIN;\n"
            + INVOICE_ROW.replace("'PROCESSED',\n    'EXCEPTIONS_FOUND'", "'RECEIVED',\n    'RECEIVED'")
            + DOCUMENT_ROW
            + "INSERT INTO intake_jobs (invoice_id) VALUES (:id);\n"
            + AUDIT_ROW
            + "END;\n";

    private static String syncScript(long validations) {
        return "BEGIN;\n"
                + INVOICE_ROW
                + DOCUMENT_ROW
                + "INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json)"
                + " VALUES (:id, 'UBL', '{\"invoiceNumber\": \"PGB\"}', '{\"overall\": 1.0}');\n"
                + "INSERT INTO validations (invoice_id, rule_code, passed, detail, severity, location, source)"
                + " SELECT :id, 'BR-CO-' || g, true, 'ok', 'fatal', NULL, 'EN16931' FROM generate_series(1, "
                + validations + ") g;\n"
                + "INSERT INTO exceptions (invoice_id, type, detail) VALUES (:id, 'UNKNOWN_VENDOR', 'pgbench');\n"
                + AUDIT_ROW
                + "END;\n";
    }

    private double pgbench(int seconds, String script) throws IOException, InterruptedException {
        Path file = work.resolve("intake-" + Integer.toHexString(script.hashCode()) + ".pgbench");
        Files.writeString(file, script);
        Process process = new ProcessBuilder(
                        postgres.binDir().resolve("pgbench").toString(),
                        "-n",
                        "-c",
                        Integer.toString(INTAKE_CLIENTS),
                        "-j",
                        "2",
                        "-T",
                        Integer.toString(seconds),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(postgres.port()),
                        "-U",
                        USER,
                        "-f",
                        file.toString(),
                        DATABASE)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(seconds + 60L, TimeUnit.SECONDS);
        // its backends end after it: let the postmaster reap them, so that the CPU meter finds their seconds
        Thread.sleep(1000);
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("pgbench failed:\n" + output);
        }
        return Double.parseDouble(tps.group(1));
    }

    /**
     * Section 4 alone, on an empty database (no generated history, no other section): scripts/benchmark.sh
     * --intake-only. Prints the table; docs/benchmarks.md is left alone.
     */
    private void intakeOnly(int seconds) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        Files.createDirectories(work);
        stopStalePostgres();
        Folders.deleteRecursively(work.resolve("postgres"));
        postgres = new PostgresServer(work.resolve("postgres"), PostgresServer.freeServerPort(), USER, null);
        postgres.start();
        postgres.createDatabaseIfMissing(DATABASE);
        Schema.apply(basedir, postgres.jdbcUrl(DATABASE), USER, null);
        intake(seconds);
        stopAll();
    }

    // ---------------------------------------------------------------- 5. pool sweep

    /** --sweep-seconds: measured seconds per cell of the pool sweep (27 cells; default PoolSweep.DEFAULT_CELL_SECONDS). */
    int sweepSeconds = PoolSweep.DEFAULT_CELL_SECONDS;

    /** Part 5: PoolSweep (the knee and the recommended pool size); its cells have their own length. */
    private void poolSweep(int seconds) throws Exception {
        PoolSweep.run(this, sweepSeconds);
    }

    // ---------------------------------------------------------------- load generation

    record Load(double throughput, double p50, double p99, long errors) {}

    interface RequestFactory {
        HttpRequest.Builder next();
    }

    private Load load(int clients, int seconds, RequestFactory requests) throws Exception {
        return load(http, clients, seconds, requests);
    }

    private Load load(HttpClient http, int clients, int seconds, RequestFactory requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        LongAdder errors = new LongAdder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    try {
                        var response = http.send(
                                authorized(requests.next())
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() >= 400) {
                            errors.increment();
                        } else {
                            latencies.add((System.nanoTime() - begin) / 1e6);
                        }
                    } catch (IOException e) {
                        errors.increment();
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
        pool.shutdownNow();
        Stats stats = Stats.of(new ArrayList<>(latencies));
        return new Load(latencies.size() / elapsed, stats.median(), stats.p99(), errors.sum());
    }

    // ---------------------------------------------------------------- Payara and PostgreSQL

    private void startPayara(Map<String, String> poolSettings) throws Exception {
        startPayara(poolSettings, Map.of());
    }

    /** properties: more application settings (system properties), e.g. apintake.intake.workers. */
    private void startPayara(Map<String, String> poolSettings, Map<String, String> properties) throws Exception {
        int port = PayaraMicroLaunch.freePort();
        PayaraMicroLaunch launch =
                new PayaraMicroLaunch(basedir, basedir.resolve("target/runtime"), work.resolve("payara"), "dev", port);
        Map<String, String> settings = new HashMap<>(poolSettings);
        settings.putAll(Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                Integer.toString(postgres.port()),
                "DB_NAME",
                DATABASE,
                "DB_USER",
                USER));
        List<String> command =
                launch.command(basedir.resolve("target/ap-intake.war"), withDefaults(properties), settings);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("payara.log").toFile());
        builder.environment().put("ADMIN_USER", adminUser);
        builder.environment().put("ADMIN_PASSWORD", adminPassword);
        payara = builder.start();
        root = "http://127.0.0.1:" + port;
        if (!launch.awaitReady(payara, Duration.ofMinutes(15))) {
            throw new IllegalStateException("Payara Micro did not become ready; see " + work.resolve("payara.log"));
        }
    }

    private static Map<String, String> withDefaults(Map<String, String> properties) {
        Map<String, String> all =
                new HashMap<>(Map.of("apintake.inbox.interval-seconds", "0", "apintake.export.interval-seconds", "0"));
        // Application settings given to the harness itself (java -Dapintake.x=y) go to Payara too, e.g. to compare
        // one setting across runs; the part's own settings below still win.
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("apintake."))
                .forEach(name -> all.put(name, System.getProperty(name)));
        all.putAll(properties);
        return all;
    }

    private void stopPayara() {
        PayaraMicroLaunch.stop(payara);
    }

    private void stopAll() {
        try {
            stopPayara();
            if (postgres != null && postgres.isRunning()) {
                postgres.stop();
            }
        } catch (Exception e) {
            System.err.println("Stopping the benchmark servers: " + e);
        }
    }

    private void stopStalePostgres() throws Exception {
        Path data = work.resolve("postgres");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            new PostgresServer(data, 1, USER, null).stop();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                authorized(HttpRequest.newBuilder(URI.create(root + path)))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Basic credentials of the admin the harness creates (ADMIN_USER/ADMIN_PASSWORD); ignored where no security is on. */
    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        String token =
                Base64.getEncoder().encodeToString((adminUser + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
        return request.header("Authorization", "Basic " + token);
    }

    private long[] cache() throws SQLException {
        try (Connection connection = postgres.connect(DATABASE);
                var rows = connection
                        .createStatement()
                        .executeQuery(
                                "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    private static double cacheRatio(long[] before, long[] after) {
        long hits = after[0] - before[0];
        long reads = after[1] - before[1];
        return hits + reads == 0 ? 1 : (double) hits / (hits + reads);
    }

    // ---------------------------------------------------------------- report

    private void section(String title) {
        line("");
        line("### " + title);
        line("");
    }

    private void line(String format, Object... arguments) {
        String text = arguments.length == 0 ? format : String.format(Locale.ROOT, format, arguments);
        System.out.println(text);
        report.append(text).append('\n');
    }

    private void write(String command, long invoices) throws IOException {
        Path file = basedir.resolve("docs/benchmarks.md");
        Files.createDirectories(file.getParent());
        String existing = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
        String machine = String.format(
                Locale.ROOT,
                "%d cores, %d MB heap max for the harness, %s %s, Java %s, PostgreSQL 15 from %s",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                postgres.binDir());
        String body = report.toString();
        if (body.contains(INTAKE_KEPT)) {
            body = body.replace(INTAKE_KEPT, keptIntakeSection(existing));
        }
        String section = BEGIN + "\n## Speed claims: the benchmark harness\n\nCommand: `" + command + "` (" + invoices
                + " invoices), run on " + LocalDate.now(ZoneOffset.UTC) + ". Machine: " + machine + ". Payara Micro and"
                + " PostgreSQL share the machine with the load generator; numbers are medians and ratios from one run.\n"
                + body + "\n" + END;
        int begin = existing.indexOf(BEGIN);
        int end = existing.indexOf(END);
        String updated = begin >= 0 && end > begin
                ? existing.substring(0, begin) + section + existing.substring(end + END.length())
                : existing.stripTrailing() + "\n\n" + section + "\n";
        Files.writeString(file, updated);
        System.out.println("Written to " + file);
    }

    /** Section 4 as the previous run (or its own --intake-only run, pasted) wrote it, heading included. */
    private static String keptIntakeSection(String existing) {
        int start = existing.indexOf("### 4. ");
        if (start < 0) {
            return "### 4. Intake\n\nNot run (--skip-intake) and no earlier section 4 to keep.\n";
        }
        int next = existing.indexOf("\n### ", start + 1);
        int end = existing.indexOf(END, start);
        int stop = next >= 0 && (end < 0 || next < end) ? next : end;
        return existing.substring(start, stop).stripTrailing()
                + "\n\n(Section 4 is not from this run: kept from the previous one, --skip-intake.)";
    }

    // ---------------------------------------------------------------- small things

    private static long single(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String text(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static double seconds(Instant start) {
        return Duration.between(start, Instant.now()).toMillis() / 1000.0;
    }

    private static String abbreviate(String query) {
        String compact = query.replaceAll("\\s+", " ");
        return compact.length() <= 90 ? compact : compact.substring(0, 87) + "...";
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].replaceFirst("^--", "");
            if (name.equals("reuse") || name.equals("intake-only") || name.equals("skip-intake")) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            }
        }
        return options;
    }
}
