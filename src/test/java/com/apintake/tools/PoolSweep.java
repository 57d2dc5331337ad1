package com.apintake.tools;

import com.apintake.monitoring.PayaraJmx;
import com.apintake.testsupport.PayaraMicroLaunch;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Part 5 of the harness: the pool sweep that finds the knee, and what the recommendations endpoint
 * says at each pool size. One Payara Micro; the pool's maximum is changed at runtime through Payara's
 * AMX config MBean over a loopback JMX connector (what an operator's {@code asadmin set
 * resources.jdbc-connection-pool.ApIntakePool.max-pool-size=N} does). The admission limit is set far
 * above the largest pool (1,000), else it caps the requests in flight before the pool does and no knee
 * shows.
 *
 * <p>Trustworthy on a small shared machine: every size is measured {@link #PASSES} times, in three orders
 * (ascending, descending, interleaved) so that a drift in the machine's load or a warming JIT favours no
 * size; each cell starts with {@link #WARMUP_SECONDS} unmeasured seconds at its size (connections opened,
 * the previous cell's queue drained) on the same HTTP connections; the knee is computed from the median
 * throughput per size; CPU seconds of Payara, PostgreSQL and the load generator are kept per cell. The
 * recommendation is read in the cell's last second, while the load still runs, so its observation window
 * (= the cell, sampled every 250 ms) holds only loaded samples at this size (a resize starts a new window).
 */
final class PoolSweep {

    static final int[] SIZES = {2, 3, 4, 6, 8, 12, 16, 24, 32};
    /** Visit orders of the passes: ascending, descending, interleaved (small and large alternate). */
    static final int[][] ORDERS = {
        {2, 3, 4, 6, 8, 12, 16, 24, 32}, {32, 24, 16, 12, 8, 6, 4, 3, 2}, {8, 32, 3, 16, 2, 24, 6, 12, 4}
    };

    static final int PASSES = ORDERS.length;
    static final int CLIENTS = 64;
    static final int WARMUP_SECONDS = 2;
    /** Measured seconds per cell (--sweep-seconds): 27 cells of 2 + 8 s fit the 7 minutes with Payara's start. */
    static final int DEFAULT_CELL_SECONDS = 8;
    /** The knee: the smallest pool whose median throughput reaches this share of the plateau (see kneeOfPlateau). */
    static final double KNEE_SHARE = 0.9;

    record Cell(double okPerSecond, long ok, long refused, double p99, Map<String, Long> errors) {}

    record Run(int pass, int size, Cell cell, CpuMeter.Reading cpu, Map<String, String> recommendation) {

        int recommended() {
            String value = recommendation.get("recommendedMaxPoolSize");
            return value == null ? size : Integer.parseInt(value);
        }

        String evidence(String key) {
            return recommendation.getOrDefault(key, "-");
        }
    }

    private PoolSweep() {}

    static void run(Benchmarks bench, int cellSeconds) throws Exception {
        long started = System.nanoTime();
        int jmxPort = PayaraMicroLaunch.freePort();
        // Started with the warm-up's maximum (8), not the smallest size: at load average 25 Payara with a pool of 2 did
        // not become ready within 15 minutes twice (readiness needs a connection next to the timers'; suspected, the
        // larger start was not yet run at that load).
        bench.restartPayara(
                Map.of("DATABASE_POOL_SIZE", "2", "DATABASE_MAX_OVERFLOW", "6", "DATABASE_POOL_TIMEOUT", "30"),
                Map.ofEntries(
                        Map.entry("apintake.admission.max-concurrent", "1000"),
                        Map.entry("apintake.pool.observation-seconds", Integer.toString(cellSeconds)),
                        Map.entry("apintake.pool.sample-ms", "250"),
                        Map.entry("java.rmi.server.hostname", "127.0.0.1"),
                        Map.entry("com.sun.management.jmxremote.host", "127.0.0.1"),
                        Map.entry("com.sun.management.jmxremote.port", Integer.toString(jmxPort)),
                        Map.entry("com.sun.management.jmxremote.rmi.port", Integer.toString(jmxPort)),
                        Map.entry("com.sun.management.jmxremote.authenticate", "false"),
                        Map.entry("com.sun.management.jmxremote.ssl", "false")));
        bench.heading("5. Pool sweep: the knee, and the recommended pool size");
        bench.print(
                "`GET %s`, %d clients (HTTP/1.1), every pool size %d times (orders: ascending, descending, interleaved),"
                        + " each cell %d s unmeasured at its size then %d s measured; admission limit 1,000 (above every pool,"
                        + " so the pool is what limits); pool max wait 30 s; the maximum changed at runtime (AMX config MBean"
                        + " = `asadmin set ...max-pool-size`), steady size 2. \"recommended\" = `recommendedMaxPoolSize` of the"
                        + " `pool_size` recommendation read in the cell's last second (none = the current size is right),"
                        + " observation window = the cell, sampled every 250 ms. Medians over the passes; CPU: user + system"
                        + " seconds in the cell.",
                ReadPath.PAGE, CLIENTS, PASSES, WARMUP_SECONDS, cellSeconds);
        List<Run> runs = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        try (PayaraJmx jmx = new PayaraJmx(jmxPort)) {
            // JIT and connections, unmeasured, at a middle size until the rate stops rising: on the quiet machine
            // a single 10 s cell left the JIT warming through the first pass (188 -> 521 answers/s across pass 1,
            // 05:23 UTC 2026-12-02), which made every small size of the ascending pass look slow.
            jmx.setPool("MaxPoolSize", "8");
            List<Double> warmUp = warmUp(bench, http);
            bench.print(
                    "Warm-up at pool 8 in %d s cells until the last %d agree with the %d before within %.0f %% (at least"
                            + " %d s, at most %d s): %s answers/s.",
                    WARM_UP_CELL_SECONDS,
                    WARM_UP_WINDOW_CELLS,
                    WARM_UP_WINDOW_CELLS,
                    WARM_UP_AGREEMENT * 100,
                    WARM_UP_MIN_SECONDS,
                    WARM_UP_MAX_SECONDS,
                    warmUp.stream().map(r -> Long.toString(Math.round(r))).collect(Collectors.joining(", ")));
            for (int pass = 0; pass < PASSES; pass++) {
                for (int size : ORDERS[pass]) {
                    jmx.setPool("MaxPoolSize", Integer.toString(size));
                    Map<String, String> advice = new HashMap<>();
                    CpuMeter.Reading[] cpu = new CpuMeter.Reading[1];
                    Cell cell = cell(bench, http, WARMUP_SECONDS, cellSeconds, new Measured() {
                        CpuMeter.Reading before;

                        @Override
                        public void started() {
                            before = CpuMeter.read(
                                    bench.payaraPid(), bench.postgres().dataDir());
                        }

                        @Override
                        public void lastSecond() {
                            advice.putAll(recommendation(bench, http));
                        }

                        @Override
                        public void ended() {
                            cpu[0] = CpuMeter.read(
                                            bench.payaraPid(), bench.postgres().dataDir())
                                    .minus(before);
                        }
                    });
                    Run run = new Run(pass + 1, size, cell, cpu[0], advice);
                    runs.add(run);
                    System.out.printf(
                            Locale.ROOT,
                            "  pass %d pool %2d: %6.0f/s p99 %6.0f ms errors %s, in use %s, waiting %s, %s checkouts/s, hold %s"
                                    + " ms, CPU busy %s, JVM cores %s, in flight %s, runnable JVM %s host %s, pool"
                                    + " sessions active %s idle in tx %s, request threads runnable %s -> recommended %d%n",
                            run.pass(),
                            size,
                            cell.okPerSecond(),
                            cell.p99(),
                            cell.errors(),
                            run.evidence("meanUsed"),
                            run.evidence("meanWaitQueue"),
                            run.evidence("checkoutsPerSecond"),
                            run.evidence("holdMillis"),
                            run.evidence("cpuBusy"),
                            run.evidence("jvmCores"),
                            run.evidence("meanInFlight"),
                            run.evidence("meanJvmRunnable"),
                            run.evidence("meanRunnable"),
                            run.evidence("meanPoolActive"),
                            run.evidence("meanPoolIdleInTransaction"),
                            run.evidence("meanRequestRunnable"),
                            run.recommended());
                }
            }
        }
        report(bench, runs, (System.nanoTime() - started) / 1e9);
    }

    private static void report(Benchmarks bench, List<Run> runs, double seconds) {
        bench.print("");
        bench.print(
                "| pool max | answered/s per pass (median) | p99 ms (median) | 503s | errors | mean in use | checkouts/s |"
                        + " hold ms | CPU busy | recommended per pass | CPU s Payara / PostgreSQL / load generator (median) |"
                        + " in flight / waiting / runnable: JVM (request threads) / host / pool sessions active / idle in"
                        + " transaction (median) |");
        bench.print("|---|---|---|---|---|---|---|---|---|---|---|---|");
        Map<Integer, Double> medianRate = new LinkedHashMap<>();
        for (int size : SIZES) {
            List<Run> at = runs.stream().filter(r -> r.size() == size).toList();
            double rate = median(at.stream().map(r -> r.cell().okPerSecond()).toList());
            medianRate.put(size, rate);
            Map<String, Long> errors = new TreeMap<>();
            at.forEach(r -> r.cell().errors().forEach((k, v) -> errors.merge(k, v, Long::sum)));
            bench.print(
                    "| %d | %s (**%.0f**) | %.0f | %d | %s | %s | %s | %s | %s | %s | %.1f / %.1f / %.1f | %s |",
                    size,
                    join(at, r -> String.format(Locale.ROOT, "%.0f", r.cell().okPerSecond())),
                    rate,
                    median(at.stream().map(r -> r.cell().p99()).toList()),
                    at.stream().mapToLong(r -> r.cell().refused()).sum(),
                    errors.isEmpty() ? "0" : errors.toString(),
                    join(at, r -> r.evidence("meanUsed")),
                    join(at, r -> r.evidence("checkoutsPerSecond")),
                    join(at, r -> r.evidence("holdMillis")),
                    join(at, r -> r.evidence("cpuBusy")),
                    join(at, r -> Integer.toString(r.recommended())),
                    median(at.stream().map(r -> r.cpu().payara()).toList()),
                    median(at.stream().map(r -> r.cpu().postgres()).toList()),
                    median(at.stream().map(r -> r.cpu().harness()).toList()),
                    observables(at));
        }
        double best = medianRate.values().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(0);
        int bestKnee = kneeOfBest(medianRate);
        int knee = kneeOfPlateau(medianRate);
        List<Integer> recommendations =
                runs.stream().map(Run::recommended).sorted().toList();
        int recommended = recommendations.get(recommendations.size() / 2);
        double off = Math.abs(recommended - knee) / (double) knee;
        double offBest = Math.abs(recommended - bestKnee) / (double) bestKnee;
        bench.print("");
        bench.print(
                "Knee (smallest pool whose median reaches %.0f %% of the median of its own and every larger pool's"
                        + " medians, the plateau): **%d connections**; by the earlier definition (%.0f %% of the best median,"
                        + " %.0f answers/s) %d. Recommended pool size (median of the %d recommendations %s): **%d**, %.0f %%"
                        + " from the knee (%.0f %% from the earlier one; target within 20 %%). Sweep took %.0f s.",
                KNEE_SHARE * 100,
                knee,
                KNEE_SHARE * 100,
                best,
                bestKnee,
                recommendations.size(),
                recommendations,
                recommended,
                off * 100,
                offBest * 100,
                seconds);
        bench.print("");
        bench.print(
                "knee=%d recommended=%d (off %.0f %%); knee of the best median=%d (off %.0f %%)",
                knee, recommended, off * 100, bestKnee, offBest * 100);
        bench.target(
                "Pool sweep knee and the recommended pool size within 20 % of it",
                String.format(
                        Locale.ROOT,
                        "knee %d, recommended %d (%.0f %% off); knee of the best median %d (%.0f %% off)",
                        knee,
                        recommended,
                        off * 100,
                        bestKnee,
                        offBest * 100),
                off <= 0.2);
    }

    /**
     * The earlier knee: the smallest pool whose median reaches KNEE_SHARE of the best median. The best of nine
     * noisy medians is biased upwards by the noise itself: on a flat curve it moves the knee by chance (quiet
     * sweep of 09:17 UTC 2026-12-02: pools 3-32 within 354-400 answers/s, pool 3 at 359 = 89.8 % of 400, knee 8).
     */
    static int kneeOfBest(Map<Integer, Double> medianRate) {
        double best = medianRate.values().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(0);
        return medianRate.entrySet().stream()
                .filter(e -> e.getValue() >= KNEE_SHARE * best)
                .mapToInt(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
    }

    /**
     * The knee against the plateau: the smallest pool (in the map's order, ascending sizes) whose median reaches
     * KNEE_SHARE of the median of the medians of this and every larger pool: what the larger pools typically
     * give, not their luckiest cell.
     */
    static int kneeOfPlateau(Map<Integer, Double> medianRate) {
        List<Map.Entry<Integer, Double>> sizes = new ArrayList<>(medianRate.entrySet());
        for (int i = 0; i < sizes.size(); i++) {
            double plateau = median(sizes.subList(i, sizes.size()).stream()
                    .map(Map.Entry::getValue)
                    .toList());
            if (sizes.get(i).getValue() >= KNEE_SHARE * plateau) {
                return sizes.get(i).getKey();
            }
        }
        throw new IllegalArgumentException("no pool sizes");
    }

    /** The estimate's observables, median over the passes that reported them. */
    private static String observables(List<Run> at) {
        java.util.function.Function<String, String> m = key -> {
            List<Double> values = at.stream()
                    .map(r -> r.evidence(key))
                    .filter(v -> !v.equals("-"))
                    .map(Double::parseDouble)
                    .filter(v -> v >= 0)
                    .toList();
            return values.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", median(values));
        };
        return String.format(
                Locale.ROOT,
                "%s / %s / %s (%s) / %s / %s / %s",
                m.apply("meanInFlight"),
                m.apply("meanWaitQueue"),
                m.apply("meanJvmRunnable"),
                m.apply("meanRequestRunnable"),
                m.apply("meanRunnable"),
                m.apply("meanPoolActive"),
                m.apply("meanPoolIdleInTransaction"));
    }

    private static String join(List<Run> runs, java.util.function.Function<Run, String> value) {
        return String.join(" ", runs.stream().map(value).toList());
    }

    /** Hooks of a measured cell: its start, its last second (load still running) and its end. */
    interface Measured {
        void started();

        void lastSecond();

        void ended();
    }

    static final int WARM_UP_CELL_SECONDS = 5;
    static final int WARM_UP_MIN_SECONDS = 90;
    static final int WARM_UP_MAX_SECONDS = 300;
    static final double WARM_UP_AGREEMENT = 0.05;
    /** Cells per window compared: the last 15 s against the 15 s before them. */
    static final int WARM_UP_WINDOW_CELLS = 3;

    /** The rates of the warm-up cells, run until two windows in a row agree (see {@link #warmedUp}). */
    private static List<Double> warmUp(Benchmarks bench, HttpClient http) throws Exception {
        List<Double> rates = new ArrayList<>();
        do {
            rates.add(cell(bench, http, 0, WARM_UP_CELL_SECONDS, null).okPerSecond());
        } while (!warmedUp(rates));
        return rates;
    }

    /**
     * Warm once the mean rate of the last WARM_UP_WINDOW_CELLS cells is within WARM_UP_AGREEMENT of the mean of
     * the cells before them, after at least WARM_UP_MIN_SECONDS, or when WARM_UP_MAX_SECONDS have gone by (a
     * machine too noisy to agree is said so by the rates printed). Two single 5 s cells were not enough: on the
     * quiet machine at 07:05 UTC 2026-12-02 the JIT raised the rate ~5 % per cell (364 -> 382 answers/s), which
     * passed as agreement after 30 s while the first pass went on rising from 267 to 653 answers/s for ~3 minutes.
     */
    static boolean warmedUp(List<Double> rates) {
        int n = rates.size();
        if (n * WARM_UP_CELL_SECONDS >= WARM_UP_MAX_SECONDS) {
            return true;
        }
        if (n * WARM_UP_CELL_SECONDS < WARM_UP_MIN_SECONDS || n < 2 * WARM_UP_WINDOW_CELLS) {
            return false;
        }
        double last = mean(rates.subList(n - WARM_UP_WINDOW_CELLS, n));
        double before = mean(rates.subList(n - 2 * WARM_UP_WINDOW_CELLS, n - WARM_UP_WINDOW_CELLS));
        return Math.abs(last - before) <= WARM_UP_AGREEMENT * Math.max(last, before);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /**
     * CLIENTS closed-loop clients on the page for warmup + seconds on the same HTTP connections; answers
     * counted only after the warm-up. A 503 with Retry-After is counted apart and honoured.
     */
    private static Cell cell(Benchmarks bench, HttpClient http, int warmup, int seconds, Measured hooks)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        List<Double> ok = Collections.synchronizedList(new ArrayList<>());
        LongAdder refused = new LongAdder();
        Map<String, LongAdder> errors = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicBoolean measuring = new AtomicBoolean();
        long begin = System.nanoTime();
        long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmup);
        long deadline = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        URI page = URI.create(bench.root() + ReadPath.PAGE);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(threads.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long sent = System.nanoTime();
                    try {
                        var response = http.send(
                                bench.withCredentials(HttpRequest.newBuilder(page))
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        boolean counted = measuring.get() && System.nanoTime() <= deadline;
                        if (response.statusCode() == 200) {
                            if (counted) {
                                ok.add((System.nanoTime() - sent) / 1e6);
                            }
                        } else if (response.statusCode() == 503
                                && response.headers().firstValue("Retry-After").isPresent()) {
                            if (counted) {
                                refused.increment();
                            }
                            Thread.sleep(1000L
                                    * Long.parseLong(response.headers()
                                            .firstValue("Retry-After")
                                            .get()
                                            .trim()));
                        } else if (counted) {
                            errors.computeIfAbsent("HTTP " + response.statusCode(), k -> new LongAdder())
                                    .increment();
                        }
                    } catch (HttpTimeoutException e) {
                        errors.computeIfAbsent("client timeout 60 s", k -> new LongAdder())
                                .increment();
                    } catch (IOException e) {
                        errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder())
                                .increment();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        TimeUnit.NANOSECONDS.sleep(measureFrom - System.nanoTime());
        measuring.set(true);
        long measuredStart = System.nanoTime();
        CompletableFuture<Void> last = null;
        if (hooks != null) {
            hooks.started();
            // The recommendation in the cell's last second, while the clients still run.
            long lastSecond = deadline - TimeUnit.SECONDS.toNanos(1);
            last = CompletableFuture.runAsync(() -> {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, lastSecond - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                hooks.lastSecond();
            });
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(0, deadline - System.nanoTime()));
        double elapsed = (System.nanoTime() - measuredStart) / 1e9;
        if (hooks != null) {
            hooks.ended();
        }
        for (Future<?> client : clients) {
            client.get();
        }
        threads.shutdownNow();
        if (last != null) {
            last.get(2, TimeUnit.MINUTES);
        }
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        double p99 = Latencies.Stats.of(ok).p99();
        return new Cell(elapsed <= 0 ? 0 : ok.size() / elapsed, ok.size(), refused.sum(), p99, errorCounts);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The pool_size recommendation's evidence, read from the endpoint's JSON (empty when there is none). */
    private static Map<String, String> recommendation(Benchmarks bench, HttpClient http) {
        Map<String, String> values = new HashMap<>();
        try {
            var response = http.send(
                    bench.withCredentials(HttpRequest.newBuilder(
                                    URI.create(bench.root() + "/api/v1/database/recommendations")))
                            .timeout(Duration.ofMinutes(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                values.put("error", "HTTP " + response.statusCode());
                return values;
            }
            try (var reader = Json.createReader(new StringReader(response.body()))) {
                for (JsonObject found : reader.readArray().getValuesAs(JsonObject.class)) {
                    if (found.getString("kind").equals("pool_size") && found.containsKey("evidence")) {
                        found.getJsonObject("evidence").forEach((key, value) -> values.put(key, value.toString()));
                    }
                }
            }
        } catch (IOException e) {
            values.put("error", e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return values;
    }
}
