package com.apintake.monitoring;

import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.resource.SearchPathResourceAccessor;

/**
 * Dashboard latency on a database with 1 M invoices. Starts a scratch PostgreSQL 15 under
 * target/bench, applies the changelog with Liquibase, fills invoices with INSERT ... SELECT
 * generate_series, boots the WAR on Payara Micro with the test pool, and times sequential GETs of
 * /health/live (the baseline: no database), /connections, /health and /dashboard, interleaved so
 * noise hits all alike. Prints median and p95 per endpoint and the ratio of medians to the baseline.
 *
 * <pre>
 * mvn -o -q -DskipTests package
 * java -cp "target/test-classes:target/classes:$(cat target/runtime/test-classpath.txt)" \
 *      com.apintake.monitoring.DashboardBenchmark [invoices=1000000] [rounds=200]
 * </pre>
 */
public final class DashboardBenchmark {

    static final String DATABASE = "ap_intake_bench";

    public static void main(String[] args) throws Exception {
        int invoices = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path basedir = Path.of("").toAbsolutePath();
        Path work = basedir.resolve("target/bench");
        delete(work);
        PostgresServer postgres =
                new PostgresServer(work.resolve("postgres"), PayaraMicroLaunch.freePort(), "postgres", null);
        postgres.start();
        Process payara = null;
        try {
            postgres.createDatabaseIfMissing(DATABASE);
            Instant start = Instant.now();
            migrate(basedir, postgres.jdbcUrl(DATABASE));
            fill(postgres, invoices);
            System.out.printf(
                    Locale.ROOT,
                    "schema + %,d invoices loaded and analysed in %d s%n",
                    invoices,
                    Duration.between(start, Instant.now()).toSeconds());

            int port = PayaraMicroLaunch.freePort();
            var launch = new PayaraMicroLaunch(
                    basedir, basedir.resolve("target/runtime"), work.resolve("payara"), "test", port);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(launch.jvmOptions(Map.of()));
            command.addAll(List.of(
                    "-jar",
                    launch.microJar().toString(),
                    "--deploy",
                    basedir.resolve("target/ap-intake.war").toString()));
            command.addAll(
                    launch.microOptions(Map.of("DB_PORT", Integer.toString(postgres.port()), "DB_NAME", DATABASE)));
            payara = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("payara.log").toFile())
                    .start();
            String root = "http://127.0.0.1:" + port;
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            awaitReady(client, root + "/health/ready", payara);

            Map<String, String> endpoints = new LinkedHashMap<>();
            endpoints.put("GET /health/live (baseline, no database)", "/health/live");
            endpoints.put("GET /api/v1/database/connections", "/api/v1/database/connections");
            endpoints.put("GET /api/v1/database/health", "/api/v1/database/health");
            endpoints.put("GET /api/v1/database/dashboard", "/api/v1/database/dashboard");
            Map<String, long[]> nanos = new LinkedHashMap<>();
            Map<String, Integer> bytes = new LinkedHashMap<>();
            endpoints.keySet().forEach(k -> nanos.put(k, new long[rounds]));
            for (int i = 0; i < 20; i++) { // warm-up: JIT, pool, statement caches
                for (String path : endpoints.values()) {
                    get(client, root + path);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (var endpoint : endpoints.entrySet()) {
                    long t0 = System.nanoTime();
                    String body = get(client, root + endpoint.getValue());
                    nanos.get(endpoint.getKey())[round] = System.nanoTime() - t0;
                    bytes.put(endpoint.getKey(), body.length());
                }
            }
            double baseline = percentile(nanos.values().iterator().next(), 50);
            System.out.printf(
                    Locale.ROOT,
                    "%n%,d invoices, %d sequential rounds per endpoint, 2-core machine%n",
                    invoices,
                    rounds);
            System.out.printf(Locale.ROOT, "| endpoint | median ms | p95 ms | median / baseline | response bytes |%n");
            System.out.printf(Locale.ROOT, "|---|---:|---:|---:|---:|%n");
            for (var entry : nanos.entrySet()) {
                double median = percentile(entry.getValue(), 50);
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.1f | %.1f | %.1f | %,d |%n",
                        entry.getKey(),
                        median / 1e6,
                        percentile(entry.getValue(), 95) / 1e6,
                        median / baseline,
                        bytes.get(entry.getKey()));
            }
        } finally {
            if (payara != null) {
                payara.destroy();
                if (!payara.waitFor(60, TimeUnit.SECONDS)) {
                    payara.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            postgres.stop();
        }
    }

    static void migrate(Path basedir, String url) throws Exception {
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new SearchPathResourceAccessor(basedir.toString()),
                "liquibase.analytics.enabled",
                false);
        Scope.child(
                scope,
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.URL_ARG, url)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.USERNAME_ARG, "postgres")
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "liquibase/db.changelog-master.xml")
                        .execute());
    }

    static void fill(PostgresServer postgres, int invoices) throws Exception {
        try (Connection connection = postgres.connect(DATABASE);
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO vendors (name, vat_id) SELECT 'Vendor ' || g, 'DE' || lpad(g::text, 9, '0')"
                    + " FROM generate_series(1, 2000) g");
            statement.execute("""
                    INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, vendor_id, invoice_number,
                                          issue_date, due_date, currency, total_net, total_vat, total_gross, amount_due,
                                          status, workflow_status, created_at, updated_at)
                    SELECT md5(g::text) || md5((-g)::text), 'invoice-' || g || '.xml', 'application/xml', 2000 + g % 5000,
                           1 + g % 2000, 'INV-' || g, d::date, d::date + 30, 'EUR',
                           (g % 10000) / 10.0, (g % 10000) / 10.0 * 0.19, (g % 10000) / 10.0 * 1.19, (g % 10000) / 10.0 * 1.19,
                           'PROCESSED',
                           (ARRAY['RECEIVED','EXTRACTED','VALIDATED','EXCEPTIONS_FOUND','PENDING_APPROVAL','APPROVED','STAGED','EXPORTED'])[1 + g % 8],
                           d, d
                    FROM generate_series(1, ?) g, LATERAL (SELECT now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second' AS d) t
                    """.replace("?", Integer.toString(invoices)));
            statement.execute("VACUUM ANALYZE");
        }
    }

    static void awaitReady(HttpClient client, String url, Process payara) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (payara.isAlive() && Instant.now().isBefore(deadline)) {
            try {
                var response = client.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("Payara Micro did not become ready; see target/bench/payara.log");
    }

    static String get(HttpClient client, String url) throws Exception {
        var response = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static void delete(Path path) throws java.io.IOException {
        if (!java.nio.file.Files.exists(path)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(path)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    static double percentile(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
