package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.monitoring.Await;
import com.apintake.monitoring.PayaraJmx;
import com.apintake.monitoring.WebhookReceiver;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool is a server resource with the test environment's sizes (server-config/test.asadmin), read
 * back from the running server; an operator's runtime change shows without a redeploy; an exhausted
 * pool shows waits and timeouts, takes readiness DOWN, and opens an alert that resolves when the load stops.
 */
@ExtendWith(ArquillianExtension.class)
class PoolIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void thePoolHasTheTestEnvironmentsSizes() {
        var answer = Http.get(base, "/api/v1/database/connections");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonObject pool = answer.<JsonObject>json().getJsonObject("pool");
        assertThat(pool.getString("name")).isEqualTo("ApIntakePool");
        // test.asadmin defaults: steady 2, overflow 6 -> max 8, wait 5 s, validation on.
        assertThat(pool.getInt("steadyPoolSize")).isEqualTo(2);
        assertThat(pool.getInt("maxPoolSize")).isEqualTo(8);
        assertThat(pool.getJsonNumber("maxWaitMillis").longValue()).isEqualTo(5000);
        assertThat(pool.getBoolean("validation")).isTrue();
        assertThat(pool.getBoolean("monitored"))
                .as("pool monitoring MBean (level HIGH, AMX)")
                .isTrue();
        assertThat(pool.getJsonNumber("created").longValue()).isPositive();
    }

    @Test
    void postgresSeesThePoolUnderItsApplicationName() throws Exception {
        var answer = Http.get(base, "/api/v1/database/connections");
        JsonObject database = answer.<JsonObject>json().getJsonObject("database");
        var testPool = database.getJsonArray("byApplication").getValuesAs(JsonObject.class).stream()
                .filter(row -> row.getString("applicationName").equals("ap-intake-test"))
                .mapToInt(row -> row.getInt("count"))
                .sum();
        try (Connection connection = TestEnvironment.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery(
                                "SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity WHERE application_name = 'ap-intake-test'")) {
            rows.next();
            assertThat(testPool).isPositive().isLessThanOrEqualTo(8);
            assertThat(Math.abs(testPool - rows.getInt(1)))
                    .as("same count as pg_stat_activity")
                    .isLessThanOrEqualTo(1);
            assertThat(database.getInt("maxConnections")).isEqualTo(rows.getInt(2));
        }
        assertThat(database.getBoolean("poolFits")).isTrue();
    }

    @Test
    void aMaxPoolSizeChangedAtRuntimeShowsWithoutRedeploy() throws Exception {
        try (var jmx = new PayaraJmx()) {
            jmx.setPool("MaxPoolSize", "6");
            try {
                assertThat(pool().getInt("maxPoolSize")).isEqualTo(6);
                assertThat(String.valueOf(jmx.pool("MaxPoolSize"))).isEqualTo("6");
            } finally {
                jmx.setPool("MaxPoolSize", "8");
            }
            assertThat(pool().getInt("maxPoolSize")).isEqualTo(8);
        }
    }

    /**
     * Real exhaustion: the operator lowers the pool to 2, a second connection locks the table the
     * trends endpoint reads, and five concurrent requests pile up: two hold connections while blocked,
     * the others wait 5 s (the test pool's max wait) and time out.
     */
    @Test
    void anExhaustedPoolShowsWaitsAndTimeoutsAndOpensAnAlertThatResolves() throws Exception {
        try (var jmx = new PayaraJmx();
                var webhook = new WebhookReceiver()) {
            // An alert an earlier test left open (already critical) would send this receiver neither its
            // opening nor its escalation: start from none open (CI saw one opened 10 s before this test).
            Await.until(
                    () -> openAlert("pool_waits"),
                    a -> a == null,
                    Duration.ofSeconds(90),
                    "a pool_waits alert left open by an earlier test to resolve");
            jmx.setPool("MaxPoolSize", "2");
            try {
                assertThat(pool().getInt("maxPoolSize")).isEqualTo(2);
                long timedOutBefore = pool().getJsonNumber("timedOut").longValue();
                HttpClient client = HttpClient.newHttpClient();
                List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
                try (Connection locker = TestEnvironment.connect()) {
                    locker.setAutoCommit(false);
                    locker.createStatement().execute("LOCK TABLE monitoring_snapshots IN ACCESS EXCLUSIVE MODE");
                    for (int i = 0; i < 5; i++) {
                        load.add(client.sendAsync(
                                HttpRequest.newBuilder(
                                                Http.resolve(base, "/api/v1/database/trends?metric=score&window=1h"))
                                        .header("Authorization", Http.admin().authorization())
                                        .timeout(Duration.ofSeconds(60))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
                    }
                    JsonObject busy = Await.until(
                            this::pool,
                            // At least two: a connection taken before the pool was lowered (e.g. a background job
                            // blocked by the same lock; CI saw used 3 of 2) stays in use above the new
                            // maximum until it is returned; Payara does not take in-use connections back.
                            p -> p.getInt("used") >= 2 && p.getInt("waitQueueLength") > 0,
                            Duration.ofSeconds(20),
                            "two connections in use and requests waiting");
                    assertThat(busy.getJsonNumber("utilization").doubleValue()).isGreaterThanOrEqualTo(1.0);
                    var ready = Http.get(base, "/health/ready");
                    assertThat(ready.status()).as(ready.body()).isEqualTo(503);
                    var data = ready.<JsonObject>json()
                            .getJsonArray("checks")
                            .getJsonObject(0)
                            .getJsonObject("data");
                    assertThat(data.get("poolExhausted").toString())
                            .as(data.toString())
                            .contains("true");
                    Await.until(
                            () -> pool().getJsonNumber("timedOut").longValue(),
                            t -> t > timedOutBefore,
                            Duration.ofSeconds(20),
                            "requests timing out");
                } // the lock goes with the connection: the load stops
                List<Integer> statuses = new ArrayList<>();
                for (var response : load) {
                    statuses.add(response.get().statusCode());
                }
                assertThat(statuses).contains(200, 503);
                var timedOut = load.stream()
                        .map(CompletableFuture::join)
                        .filter(r -> r.statusCode() == 503)
                        .findFirst()
                        .orElseThrow();
                assertThat(timedOut.headers().firstValue("Content-Type").orElse(""))
                        .contains("application/problem+json");

                // Opened as a warning while requests wait, critical once the timeouts are counted.
                Await.until(
                        () -> openAlert("pool_waits"),
                        a -> a != null && a.getString("severity").equals("critical"),
                        Duration.ofSeconds(30),
                        "the pool_waits alert, critical for the timeouts");
                Await.until(
                        () -> openAlert("pool_waits"),
                        a -> a == null,
                        Duration.ofSeconds(60),
                        "the pool_waits alert to resolve");
                Await.until(
                        // The warning may open before the receiver listens (a request waited a moment
                        // earlier): then its escalation to critical is the first webhook this test sees.
                        () -> (webhook.got("pool_waits", "opened") || webhook.got("pool_waits", "escalated"))
                                && webhook.got("pool_waits", "resolved"),
                        got -> got,
                        Duration.ofSeconds(20),
                        "webhooks for pool_waits opened and resolved: " + webhook.received());
                assertThat(Http.get(base, "/health/ready").status()).isEqualTo(200);
            } finally {
                jmx.setPool("MaxPoolSize", "8");
            }
        }
    }

    private JsonObject pool() {
        var answer = Http.get(base, "/api/v1/database/connections");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonObject>json().getJsonObject("pool");
    }

    private JsonObject openAlert(String condition) {
        var answer = Http.get(base, "/api/v1/database/alerts");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonObject>json().getJsonArray("open").getValuesAs(JsonObject.class).stream()
                .filter(a -> a.getString("condition").equals(condition))
                .findFirst()
                .orElse(null);
    }
}
