package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool-size recommendation reacts to what the pool is observed doing, with the cores rule's
 * numbers (2 x apintake.pool.database-cores + sessions waiting inside PostgreSQL) and the reason in
 * words. The test server samples every 500 ms over a 10 s window (TestEnvironment); no timing is
 * asserted, the test waits until the window shows the state it made.
 */
@ExtendWith(ArquillianExtension.class)
class PoolSizeRecommendationIT {

    private static final int CORES = TestEnvironment.DATABASE_CORES;

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    /** The test pool (max 8) with nothing waiting: the rule's 2 x 2 + 1 = 5 is fewer. */
    @Test
    void anIdlePoolAboveTheCoresRuleIsToldToShrink() {
        JsonObject advice = Await.until(
                        this::poolSize,
                        r -> r.isPresent()
                                && r.get().getJsonObject("evidence").getInt("maxPoolSize") == 8
                                && !r.get().getJsonObject("evidence").getBoolean("underPressure"),
                        Duration.ofSeconds(60),
                        "a pool_size recommendation for the idle test pool")
                .orElseThrow();
        JsonObject evidence = advice.getJsonObject("evidence");
        assertThat(evidence.getInt("recommendedMaxPoolSize")).isEqualTo(2 * CORES + 1);
        assertThat(evidence.getInt("cores")).isEqualTo(CORES);
        assertThat(evidence.getString("reason")).contains("not under pressure", "lower it to " + (2 * CORES + 1));
        assertThat(advice.getString("fix"))
                .startsWith("asadmin set resources.jdbc-connection-pool.ApIntakePool.max-pool-size=" + (2 * CORES + 1));
    }

    /**
     * The operator raises the pool to 10; a lock on vendors holds eight requests of the vendor list (the
     * test server's admission limit) inside PostgreSQL, waiting on the lock, not on a CPU, with their
     * connections: 80 % of the pool. The rule counts those eight waiting sessions as spindles: 2 x 2 + 8 =
     * 12, more than 10. The recommendation is read once the lock is gone (while it is held, the admission
     * limit is taken by the held requests), from the window that still holds the busy samples.
     */
    @Test
    void aPoolHeldBySessionsWaitingInsidePostgresIsToldToGrowWithinTheCoresRule() throws Exception {
        int held = TestEnvironment.ADMISSION_LIMIT;
        assertThat(Http.get(base, "/api/v1/vendors?limit=1").status()).isEqualTo(200);
        try (var jmx = new PayaraJmx()) {
            jmx.setPool("MaxPoolSize", "10");
            try {
                List<CompletableFuture<Http.Answer>> requests = new ArrayList<>();
                try (Connection lock = TestEnvironment.connect();
                        Connection watch = TestEnvironment.connect()) {
                    lock.setAutoCommit(false);
                    lock.createStatement().execute("LOCK TABLE vendors IN ACCESS EXCLUSIVE MODE");
                    for (int i = 0; i < held; i++) {
                        requests.add(CompletableFuture.supplyAsync(() -> Http.get(base, "/api/v1/vendors?limit=1")));
                    }
                    Await.until(
                            () -> lockWaiters(watch),
                            n -> n >= held,
                            Duration.ofSeconds(60),
                            held + " requests waiting on the lock inside PostgreSQL");
                    // A few sampling periods (500 ms each in tests) with the pool held, then let go.
                    Thread.sleep(2_000);
                    lock.rollback();
                }
                for (var request : requests) {
                    assertThat(request.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
                }
                JsonObject advice = Await.until(
                                this::poolSize,
                                r -> r.isPresent()
                                        && r.get().getJsonObject("evidence").getInt("maxPoolSize") == 10
                                        && r.get().getJsonObject("evidence").getInt("recommendedMaxPoolSize") > 10,
                                Duration.ofSeconds(8),
                                "a recommendation to grow the held pool")
                        .orElseThrow();
                JsonObject evidence = advice.getJsonObject("evidence");
                assertThat(evidence.getBoolean("underPressure")).isTrue();
                assertThat(evidence.getInt("peakUsed")).isGreaterThanOrEqualTo(held);
                assertThat(evidence.getInt("recommendedMaxPoolSize"))
                        .as("bounded by the cores rule with the held sessions as spindles")
                        .isLessThanOrEqualTo(2 * CORES + held + 1);
                assertThat(evidence.getJsonNumber("meanSessionsWaiting").doubleValue())
                        .isGreaterThan(held / 2.0);
                assertThat(evidence.getString("reason")).contains("raise it to", "waiting inside");
            } finally {
                jmx.setPool("MaxPoolSize", "8");
            }
        }
    }

    private static int lockWaiters(Connection watch) {
        try (var rows = watch.createStatement()
                .executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND state = 'active'")) {
            rows.next();
            return rows.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<JsonObject> poolSize() {
        var answer = Http.get(base, "/api/v1/database/recommendations");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonArray>json().getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getString("kind").equals("pool_size"))
                .findFirst();
    }
}
