package com.apintake.tools;

import com.apintake.monitoring.PayaraJmx;
import com.apintake.testsupport.PayaraMicroLaunch;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Part 5 of the harness: the pool sweep that finds the knee, and what the recommendations endpoint
 * says at each pool size. One Payara Micro; the pool's maximum is changed at runtime through Payara's
 * AMX config MBean over a loopback JMX connector (what an operator's {@code asadmin set
 * resources.jdbc-connection-pool.ApIntakePool.max-pool-size=N} does), smallest first. The admission
 * limit is set far above the largest pool (1,000), else it caps the requests in flight before the pool
 * does and no knee shows. The pool-size rule observes each cell alone (observation window = the
 * cell's length; a resize starts a new window).
 */
final class PoolSweep {

    static final int[] SIZES = {2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32};
    static final int CLIENTS = 64;
    /** The knee: the smallest pool whose throughput reaches this share of the sweep's best. */
    static final double KNEE_SHARE = 0.9;

    record Row(int size, ReadPath.Cell cell, CpuMeter.Reading cpu, Map<String, String> recommendation) {}

    private PoolSweep() {}

    static void run(Benchmarks bench, int seconds) throws Exception {
        int jmxPort = PayaraMicroLaunch.freePort();
        bench.restartPayara(
                Map.of("DATABASE_POOL_SIZE", "2", "DATABASE_MAX_OVERFLOW", "0", "DATABASE_POOL_TIMEOUT", "30"),
                Map.ofEntries(
                        Map.entry("apintake.admission.max-concurrent", "1000"),
                        Map.entry("apintake.pool.observation-seconds", Integer.toString(seconds)),
                        Map.entry("java.rmi.server.hostname", "127.0.0.1"),
                        Map.entry("com.sun.management.jmxremote.host", "127.0.0.1"),
                        Map.entry("com.sun.management.jmxremote.port", Integer.toString(jmxPort)),
                        Map.entry("com.sun.management.jmxremote.rmi.port", Integer.toString(jmxPort)),
                        Map.entry("com.sun.management.jmxremote.authenticate", "false"),
                        Map.entry("com.sun.management.jmxremote.ssl", "false")));
        bench.heading("5. Pool sweep: the knee, and the recommended pool size");
        bench.print(
                "`GET %s`, %d clients (HTTP/1.1), %d s per pool size after one unmeasured warm-up cell; admission limit"
                        + " 1,000 (above every pool, so the pool is what limits); pool max wait 30 s. The maximum is changed"
                        + " at runtime (AMX config MBean = `asadmin set ...max-pool-size`), steady size 2. \"recommended\" is"
                        + " `recommendedMaxPoolSize` of the `pool_size` recommendation read right after the cell (no"
                        + " recommendation = the current size is right). CPU: seconds of user + system time in the cell.",
                ReadPath.PAGE, CLIENTS, seconds);
        bench.print("");
        bench.print(
                "| pool max | answered/s | p99 ms | 503s | errors | peak in use | PG on CPU / waiting | recommended | CPU s Payara / PostgreSQL / load generator |");
        bench.print("|---|---|---|---|---|---|---|---|---|");
        List<Row> rows = new ArrayList<>();
        try (PayaraJmx jmx = new PayaraJmx(jmxPort)) {
            ReadPath.cell(bench, CLIENTS, seconds, HttpClient.Version.HTTP_1_1);
            for (int size : SIZES) {
                jmx.setPool("MaxPoolSize", Integer.toString(size));
                Thread.sleep(1000);
                CpuMeter.Reading before =
                        CpuMeter.read(bench.payaraPid(), bench.postgres().dataDir());
                ReadPath.Cell cell = ReadPath.cell(bench, CLIENTS, seconds, HttpClient.Version.HTTP_1_1);
                CpuMeter.Reading cpu = CpuMeter.read(
                                bench.payaraPid(), bench.postgres().dataDir())
                        .minus(before);
                Map<String, String> advice = recommendation(bench);
                Row row = new Row(size, cell, cpu, advice);
                rows.add(row);
                bench.print(
                        "| %d | %.0f | %.0f | %d | %s | %s | %s / %s | %s | %.1f / %.1f / %.1f |",
                        size,
                        cell.okPerSecond(),
                        cell.p99(),
                        cell.refused(),
                        cell.errors().isEmpty() ? "0" : cell.errors().toString(),
                        advice.getOrDefault("peakUsed", "?"),
                        advice.getOrDefault("meanSessionsOnCpu", "?"),
                        advice.getOrDefault("meanSessionsWaiting", "?"),
                        recommended(row),
                        cpu.payara(),
                        cpu.postgres(),
                        cpu.harness());
            }
        }
        double best =
                rows.stream().mapToDouble(r -> r.cell().okPerSecond()).max().orElse(0);
        Row knee = rows.stream()
                .filter(r -> r.cell().okPerSecond() >= KNEE_SHARE * best)
                .findFirst()
                .orElseThrow();
        List<Integer> recommendations =
                rows.stream().map(PoolSweep::recommended).sorted().toList();
        int recommended = recommendations.get(recommendations.size() / 2);
        double off = Math.abs(recommended - knee.size()) / (double) knee.size();
        bench.print("");
        bench.print(
                "Knee (smallest pool with >= %.0f %% of the best %.0f answers/s): **%d connections** (%.0f/s)."
                        + " Recommended pool size (median of the recommendations over the sweep %s): **%d**, %.0f %% from"
                        + " the knee (target within 20 %%).",
                KNEE_SHARE * 100,
                best,
                knee.size(),
                knee.cell().okPerSecond(),
                recommendations,
                recommended,
                off * 100);
        bench.target(
                "Pool sweep knee and the recommended pool size within 20 % of it",
                String.format(
                        Locale.ROOT, "knee %d, recommended %d (%.0f %% off)", knee.size(), recommended, off * 100),
                off <= 0.2);
    }

    /** The recommended maximum after a cell: the pool_size advice, or the size itself when there is none. */
    private static int recommended(Row row) {
        String value = row.recommendation().get("recommendedMaxPoolSize");
        return value == null ? row.size() : Integer.parseInt(value);
    }

    /** The pool_size recommendation's evidence, read from the endpoint's JSON (empty when there is none). */
    private static Map<String, String> recommendation(Benchmarks bench) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var response = http.send(
                bench.withCredentials(
                                HttpRequest.newBuilder(URI.create(bench.root() + "/api/v1/database/recommendations")))
                        .timeout(Duration.ofMinutes(2))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> values = new HashMap<>();
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
        return values;
    }
}
