package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
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
 * The health score, metrics, alerts, trends and gauges against conditions created for real in the
 * test database: held locks, a transaction left idle, and PostgreSQL's own statistics views read in
 * the same test for comparison.
 */
@ExtendWith(ArquillianExtension.class)
class DatabaseHealthIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void blockedSessionsCostTheLockComponentPointsAndRaiseAnAlertThatEscalatesAndResolves() throws Exception {
        List<Connection> waiters = new ArrayList<>();
        List<CompletableFuture<Void>> blocked = new ArrayList<>();
        try (Connection holder = TestEnvironment.connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE vendors IN ACCESS EXCLUSIVE MODE");
            block(waiters, blocked, 1);

            JsonObject lock = Await.until(
                    () -> component(health(), "lock_contention"),
                    c -> c.getJsonNumber("value").doubleValue() >= 1,
                    Duration.ofSeconds(20),
                    "a blocked session in the health score");
            assertThat(lock.getJsonNumber("penalty").doubleValue()).isPositive();
            assertThat(lock.getJsonNumber("warnAt").doubleValue()).isEqualTo(1);
            assertThat(lock.getJsonNumber("critAt").doubleValue()).isEqualTo(5);
            assertThat(lock.getString("unit")).isEqualTo("blocked sessions");

            JsonObject alert = Await.until(
                    () -> openAlert("blocked_sessions"),
                    a -> a != null,
                    Duration.ofSeconds(20),
                    "blocked_sessions alert");
            assertThat(alert.getString("severity")).isEqualTo("warning");

            block(waiters, blocked, 4);
            Await.until(
                    () -> openAlert("blocked_sessions"),
                    a -> a != null && a.getString("severity").equals("critical"),
                    Duration.ofSeconds(20),
                    "blocked_sessions escalated to critical");
            JsonObject full = Await.until(
                    () -> component(health(), "lock_contention"),
                    c -> c.getJsonNumber("value").doubleValue() >= 5,
                    Duration.ofSeconds(20),
                    "five blocked sessions");
            assertThat(full.getJsonNumber("penalty").doubleValue())
                    .as("a critical component costs its whole weight")
                    .isEqualTo(full.getJsonNumber("weight").doubleValue());
            holder.rollback();
        }
        for (var b : blocked) {
            b.get();
        }
        for (var w : waiters) {
            w.close();
        }
        Await.until(() -> openAlert("blocked_sessions"), a -> a == null, Duration.ofSeconds(20), "the alert resolved");
        var recent =
                Http.get(base, "/api/v1/database/alerts").<JsonObject>json().getJsonArray("recent");
        JsonObject resolved = recent.getValuesAs(JsonObject.class).stream()
                .filter(a -> a.getString("condition").equals("blocked_sessions"))
                .findFirst()
                .orElseThrow();
        assertThat(resolved.getString("status")).isEqualTo("resolved");
        assertThat(resolved.getJsonArray("history").getValuesAs(JsonObject.class).stream()
                        .map(e -> e.getString("event"))
                        .toList())
                .containsExactly("opened", "escalated", "resolved");
    }

    @Test
    void aTransactionLeftIdleIsReported() throws Exception {
        try (Connection idle = TestEnvironment.connect()) {
            int pid = pid(idle);
            idle.setAutoCommit(false);
            idle.createStatement().execute("SELECT count(*) FROM invoices");
            JsonObject connections = Await.until(
                    () -> Http.get(base, "/api/v1/database/connections").<JsonObject>json(),
                    c -> c.getJsonObject("database")
                                    .getJsonObject("idleInTransaction")
                                    .getInt("count")
                            >= 1,
                    Duration.ofSeconds(10),
                    "an idle-in-transaction session");
            assertThat(connections
                            .getJsonObject("database")
                            .getJsonArray("byApplication")
                            .getValuesAs(JsonObject.class))
                    .anyMatch(s -> s.getString("applicationName").equals("ap-intake-tooling")
                            && s.getString("state").equals("idle in transaction"));
            JsonObject recommendation = Await.until(
                    () -> recommendations().stream()
                            .filter(r -> r.getString("kind").equals("idle_in_transaction")
                                    && r.getString("object").equals("pid " + pid))
                            .findFirst()
                            .orElse(null),
                    r -> r != null,
                    Duration.ofSeconds(15),
                    "an idle_in_transaction recommendation for pid " + pid);
            assertThat(recommendation.getJsonObject("evidence").getString("lastStatement"))
                    .isEqualTo("SELECT count(*) FROM invoices");
            Await.until(() -> openAlert("idle_in_transaction"), a -> a != null, Duration.ofSeconds(20), "idle alert");
            idle.rollback();
        }
        Await.until(
                () -> openAlert("idle_in_transaction"), a -> a == null, Duration.ofSeconds(20), "idle alert resolved");
    }

    @Test
    void cacheHitRatioAndConnectionCountsAgreeWithPostgres() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            double before = cacheHitRatio(connection);
            var metrics = Http.get(base, "/api/v1/database/metrics");
            assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
            double after = cacheHitRatio(connection);
            double reported =
                    metrics.<JsonObject>json().getJsonNumber("cacheHitRatio").doubleValue();
            assertThat(reported).isBetween(Math.min(before, after) - 0.001, Math.max(before, after) + 0.001);
            assertThat(metrics.<JsonObject>json().getJsonNumber("indexHitRatio").doubleValue())
                    .isBetween(0.0, 1.0);

            // The dashboard's connections are a snapshot (apintake.monitoring.live-connections-ms, at most
            // live-connections-max-age-ms old, its age in the answer): the session opened above shows within that.
            var dashboard = Http.get(base, "/api/v1/database/dashboard");
            assertThat(dashboard.status()).as(dashboard.body()).isEqualTo(200);
            assertThat(dashboard
                            .<JsonObject>json()
                            .getJsonNumber("connectionsAgeSeconds")
                            .doubleValue())
                    .isBetween(0.0, 5.0);
            Await.until(
                    () -> toolingSessions(
                                    Http.get(base, "/api/v1/database/dashboard").json())
                            - toolingSessionsNow(connection),
                    difference -> difference == 0,
                    Duration.ofSeconds(10),
                    "the dashboard's tooling sessions equal pg_stat_activity's");
            assertThat(dashboard.<JsonObject>json().getJsonObject("health").getInt("score"))
                    .isBetween(0, 100);
        }
    }

    @Test
    void theDashboardServesTheMonitoringLoopsLastMeasurementWithItsAge() throws Exception {
        java.util.Set<java.time.Instant> measured = new java.util.HashSet<>();
        long start = System.nanoTime();
        java.time.Instant first = null;
        for (int i = 0; i < 10; i++) {
            var dashboard = Http.get(base, "/api/v1/database/dashboard");
            assertThat(dashboard.status()).as(dashboard.body()).isEqualTo(200);
            JsonObject json = dashboard.json();
            // The shared members are rendered without the per-answer ones (not even as null).
            assertThat(dashboard.body().split("\"ageSeconds\":", -1)).hasSize(2);
            assertThat(dashboard.body()).doesNotContain("\"connections\":null");
            java.time.Instant at = java.time.Instant.parse(json.getString("measuredAt"));
            first = first == null ? at : first;
            measured.add(at);
            assertThat(json.getJsonNumber("ageSeconds").doubleValue())
                    .isBetween(0.0, json.getJsonNumber("maxAgeSeconds").doubleValue());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Measured per call, ten calls gave ten measurements; served from the loop (every 2 s in tests), one
        // measurement on the first call and at most one more per loop round.
        assertThat(measured.size()).as("measurements in %.1f s", seconds).isLessThanOrEqualTo(2 + (int) (seconds / 2));
        // While the dashboard is read, the loop keeps its figures moving.
        java.time.Instant since = first;
        Await.until(
                () -> java.time.Instant.parse(Http.get(base, "/api/v1/database/dashboard")
                        .<JsonObject>json()
                        .getString("measuredAt")),
                at -> at.isAfter(since),
                Duration.ofSeconds(20),
                "a newer measurement on the dashboard");
    }

    @Test
    void theHealthScoreIsExplainable() {
        JsonObject health = health();
        int score = health.getInt("score");
        String status = health.getString("status");
        assertThat(status).isEqualTo(score >= 80 ? "healthy" : score >= 60 ? "warning" : "critical");
        var components = health.getJsonArray("components").getValuesAs(JsonObject.class);
        assertThat(components)
                .extracting(c -> c.getString("name"))
                .contains(
                        "pool_utilization",
                        "pool_waits",
                        "query_latency",
                        "cache_hit_ratio",
                        "lock_contention",
                        "dead_tuples",
                        "xid_wraparound",
                        "connections_headroom");
        double weights = components.stream()
                .mapToDouble(c -> c.getJsonNumber("weight").doubleValue())
                .sum();
        double penalties = components.stream()
                .mapToDouble(c -> c.getJsonNumber("penalty").doubleValue())
                .sum();
        assertThat(weights).isCloseTo(100, within(0.1));
        assertThat(score).isCloseTo((int) Math.round(100 - penalties), within(1));
    }

    @Test
    void trendsAndGauges() {
        var trends = Await.until(
                () -> Http.get(base, "/api/v1/database/trends?metric=score&window=1h")
                        .<JsonObject>json(),
                t -> t.getJsonArray("points").size() >= 2,
                Duration.ofSeconds(20),
                "two snapshots");
        assertThat(trends.getString("metric")).isEqualTo("score");

        var bad = Http.get(base, "/api/v1/database/trends?metric=nonsense&window=1h");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).contains("application/problem+json");
        assertThat(bad.body()).contains("metric must be one of");
        assertThat(Http.get(base, "/api/v1/database/slow-queries?window=soon").status())
                .isEqualTo(400);
        assertThat(Http.get(base, "/api/v1/database/trends?metric=score&window=400d")
                        .status())
                .isEqualTo(400);

        String metrics = Await.until(
                () -> Http.get(base, "/metrics?scope=application").body(),
                m -> m.contains("database_health_score")
                        && !m.contains("database_health_score{mp_scope=\"application\",} NaN"),
                Duration.ofSeconds(20),
                "the health gauges");
        assertThat(metrics)
                .contains("database_health_component_penalty")
                .contains("component=\"lock_contention\"")
                .contains("database_pool_used")
                .contains("database_pool_free")
                .contains("database_pool_wait_queue")
                .contains("database_pool_timeouts")
                .contains("database_cache_hit_ratio")
                .contains("database_slow_queries")
                .contains("alerts_open");
    }

    private void block(List<Connection> waiters, List<CompletableFuture<Void>> blocked, int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            Connection waiter = TestEnvironment.connect();
            waiters.add(waiter);
            blocked.add(CompletableFuture.runAsync(() -> {
                try (var statement = waiter.createStatement()) {
                    statement.execute("SELECT count(*) FROM vendors");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
    }

    private JsonObject health() {
        var answer = Http.get(base, "/api/v1/database/health");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static JsonObject component(JsonObject health, String name) {
        return health.getJsonArray("components").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("name").equals(name))
                .findFirst()
                .orElseThrow();
    }

    private List<JsonObject> recommendations() {
        var answer = Http.get(base, "/api/v1/database/recommendations");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<jakarta.json.JsonArray>json().getValuesAs(JsonObject.class);
    }

    private JsonObject openAlert(String condition) {
        var answer = Http.get(base, "/api/v1/database/alerts");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonObject>json().getJsonArray("open").getValuesAs(JsonObject.class).stream()
                .filter(a -> a.getString("condition").equals(condition))
                .findFirst()
                .orElse(null);
    }

    private static double cacheHitRatio(Connection connection) throws SQLException {
        try (var rows = connection
                .createStatement()
                .executeQuery("SELECT blks_hit::float / nullif(blks_hit + blks_read, 0) FROM pg_stat_database"
                        + " WHERE datname = current_database()")) {
            rows.next();
            return rows.getDouble(1);
        }
    }

    private static int pid(Connection connection) throws SQLException {
        try (var rows = connection.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static int toolingSessions(JsonObject dashboard) {
        return dashboard.getJsonObject("connections").getJsonObject("database").getJsonArray("byApplication").stream()
                .map(JsonObject.class::cast)
                .filter(s -> s.getString("applicationName").equals("ap-intake-tooling"))
                .mapToInt(s -> s.getInt("count"))
                .sum();
    }

    private static int toolingSessionsNow(Connection connection) {
        try (var rows = connection
                .createStatement()
                .executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ap-intake-tooling'"
                        + " AND datname = current_database()")) {
            rows.next();
            return rows.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
