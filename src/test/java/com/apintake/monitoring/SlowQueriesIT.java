package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow statements for real: pg_sleep calls show in pg_stat_statements' window deltas (and a reset
 * made behind the application's back is detected), and a statement the application ran while a
 * lock held it up shows in Payara's slow-SQL log with the code path it came from.
 */
@ExtendWith(ArquillianExtension.class)
class SlowQueriesIT {

    static final String SLEEP = "SELECT pg_sleep(?) AS slow_queries_it";

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void pgSleepCallsAreSlowInTheirWindowAndAResetIsDetected() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            sleep(connection, 6);
            long queryid = queryid(connection);
            JsonObject first = slowStatement("1h");
            assertThat(first.getJsonNumber("calls").longValue()).isEqualTo(6);
            assertThat(first.getJsonNumber("meanMillis").doubleValue()).isGreaterThanOrEqualTo(120);
            assertThat(first.getString("query")).contains("pg_sleep");

            // Wait for the snapshot timer to store the six calls, then run six more.
            Instant snapshot = Await.until(
                    () -> lastSnapshot(connection, queryid, 6), s -> s != null, Duration.ofSeconds(20), "a snapshot");
            Thread.sleep(1200);
            sleep(connection, 6);
            long window = Duration.between(snapshot, Instant.now()).toSeconds();
            JsonObject delta = slowStatement(window + "s");
            assertThat(delta.getJsonNumber("calls").longValue())
                    .as("only the calls after the snapshot at the window's start")
                    .isEqualTo(6);
            assertThat(slowStatement("1h").getJsonNumber("calls").longValue()).isEqualTo(12);

            // A reset by someone else: the counters go down, the window says so and counts from the reset.
            Instant beforeReset = Await.until(
                    () -> lastSnapshot(connection, queryid, 12), s -> s != null, Duration.ofSeconds(20), "a snapshot");
            connection.createStatement().execute("SELECT pg_stat_statements_reset()");
            Thread.sleep(1200);
            sleep(connection, 5);
            JsonObject afterReset =
                    slowStatement(Duration.between(beforeReset, Instant.now()).toSeconds() + "s");
            assertThat(afterReset.getJsonNumber("calls").longValue()).isEqualTo(5);
            assertThat(afterReset.getBoolean("resetInWindow")).isTrue();
        }
    }

    @Test
    void payarasSlowSqlLogShowsTheStatementAndWhereItCameFrom() throws Exception {
        try (Connection locker = TestEnvironment.connect()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE monitoring_snapshots IN ACCESS EXCLUSIVE MODE");
            var request = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Http.get(base, "/api/v1/database/trends?metric=pool_used&window=1h"));
            // Once the application's statement waits for the lock, hold it longer than the test pool's
            // slow-query threshold of 0.5 s.
            try (Connection observer = TestEnvironment.connect()) {
                Await.until(
                        () -> waitingForLock(observer),
                        waiting -> waiting,
                        Duration.ofSeconds(20),
                        "the trends query waiting for the lock");
            }
            Thread.sleep(1200);
            locker.rollback();
            assertThat(request.get().status()).isEqualTo(200);
        }
        JsonObject entry = Await.until(
                () -> Http.get(base, "/api/v1/database/slow-queries?window=5m&limit=50")
                        .<JsonObject>json()
                        .getJsonArray("payara")
                        .getValuesAs(JsonObject.class)
                        .stream()
                        .filter(e ->
                                e.getString("sql").startsWith("SELECT taken_at, pool_used FROM monitoring_snapshots"))
                        .findFirst()
                        .orElse(null),
                e -> e != null,
                Duration.ofSeconds(10),
                "the slow trends query in Payara's slow-SQL log");
        assertThat(entry.getJsonNumber("tookMillis").longValue()).isGreaterThanOrEqualTo(1000);
        assertThat(entry.getJsonNumber("thresholdMillis").longValue()).isEqualTo(500);
        assertThat(entry.getString("callSite"))
                .startsWith("com.apintake.monitoring.control.Trends.series(Trends.java:");
    }

    @Test
    void aSlowStatementLinksToItsGenericPlanAndANormalisedWriteIsRefused() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            try (var statement = connection.prepareStatement(
                    "SELECT pg_sleep(?) AS slow_explain_it, count(*) FROM monitoring_snapshots WHERE taken_at > ?")) {
                for (int i = 0; i < 5; i++) {
                    statement.setDouble(1, 0.12);
                    statement.setTimestamp(
                            2, java.sql.Timestamp.from(Instant.now().minusSeconds(60)));
                    statement.execute();
                }
            }
            var answer = Http.get(base, "/api/v1/database/slow-queries?window=1h&limit=50");
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonObject entry = answer.<JsonObject>json().getJsonObject("statements").getJsonArray("slow").stream()
                    .map(JsonObject.class::cast)
                    .filter(s -> s.getString("query").contains("slow_explain_it"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("the parameterised SELECT is not slow: " + answer.body()));
            assertThat(entry.getString("query")).contains("$1").contains("$2");
            String href = entry.getString("explain");
            assertThat(href)
                    .isEqualTo("/api/v1/database/slow-queries/"
                            + entry.getJsonNumber("queryid").longValue() + "/explain");

            // Twice: the prepared statement is gone from the pooled session after the first.
            for (int i = 0; i < 2; i++) {
                var explained = Http.post(base, href, "application/json", new byte[0]);
                assertThat(explained.status()).as(explained.body()).isEqualTo(200);
                JsonObject plan = explained.json();
                assertThat(plan.getJsonNumber("queryid").longValue())
                        .isEqualTo(entry.getJsonNumber("queryid").longValue());
                assertThat(plan.getJsonArray("parameterTypes").getValuesAs(jakarta.json.JsonString.class).stream()
                                .map(jakarta.json.JsonString::getString))
                        .containsExactly("double precision", "timestamp with time zone");
                assertThat(plan.getJsonObject("plan").getBoolean("analyzed")).isFalse();
                assertThat(plan.getJsonObject("plan").getString("text")).contains("monitoring_snapshots");
                assertThat(plan.getJsonObject("plan")
                                .getJsonArray("json")
                                .getJsonObject(0)
                                .getJsonObject("Plan")
                                .getString("Node Type"))
                        .isNotBlank();
            }
            var audited = Http.get(base, "/api/v1/audit?action=database.explain&limit=50");
            assertThat(audited.body())
                    .contains("queryid " + entry.getJsonNumber("queryid").longValue());

            // Normalised writes: found in pg_stat_statements, refused with a problem, nothing changed.
            try (var ddl = connection.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS slow_explain_guard");
                ddl.execute("CREATE TABLE slow_explain_guard (id int PRIMARY KEY, note text NOT NULL)");
            }
            try (var insert = connection.prepareStatement("INSERT INTO slow_explain_guard (id, note) VALUES (?, ?)");
                    var update = connection.prepareStatement("UPDATE slow_explain_guard SET note = ? WHERE id = ?")) {
                for (int i = 1; i <= 3; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row " + i);
                    insert.execute();
                    update.setString(1, "changed " + i);
                    update.setInt(2, i);
                    update.execute();
                }
            }
            String before = guardContents(connection);
            for (String verb : new String[] {"INSERT INTO slow_explain_guard", "UPDATE slow_explain_guard"}) {
                long queryid = queryidOf(connection, verb);
                var refused = Http.post(
                        base, "/api/v1/database/slow-queries/" + queryid + "/explain", "application/json", new byte[0]);
                assertThat(refused.status()).as(refused.body()).isEqualTo(400);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                assertThat(refused.body()).contains("only a SELECT");
            }
            assertThat(guardContents(connection)).isEqualTo(before);
            connection.createStatement().execute("DROP TABLE slow_explain_guard");
        }
        var unknown = Http.post(base, "/api/v1/database/slow-queries/42/explain", "application/json", new byte[0]);
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
    }

    private static String guardContents(Connection connection) throws SQLException {
        try (var rows = connection
                .createStatement()
                .executeQuery(
                        "SELECT coalesce(string_agg(id || '=' || note, ',' ORDER BY id), '') FROM slow_explain_guard")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long queryidOf(Connection connection, String prefix) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT queryid FROM pg_stat_statements WHERE query LIKE ? || '%' LIMIT 1")) {
            statement.setString(1, prefix);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).as("pg_stat_statements has " + prefix).isTrue();
                return rows.getLong(1);
            }
        }
    }

    private static boolean waitingForLock(Connection observer) {
        try (var rows = observer.createStatement()
                .executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'SELECT taken_at, pool_used FROM monitoring_snapshots%'")) {
            rows.next();
            return rows.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonObject slowStatement(String window) {
        var answer = Http.get(base, "/api/v1/database/slow-queries?window=" + window + "&limit=20");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonObject statements = answer.<JsonObject>json().getJsonObject("statements");
        assertThat(statements.getBoolean("available")).isTrue();
        return statements.getJsonArray("slow").getValuesAs(JsonObject.class).stream()
                .filter(s -> s.getString("query").contains("slow_queries_it"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "pg_sleep not among the slow statements of " + window + ": " + answer.body()));
    }

    private static void sleep(Connection connection, int times) throws SQLException {
        try (var statement = connection.prepareStatement(SLEEP)) {
            for (int i = 0; i < times; i++) {
                statement.setDouble(1, 0.12);
                statement.execute();
            }
        }
    }

    private static long queryid(Connection connection) throws SQLException {
        try (var rows = connection
                .createStatement()
                .executeQuery(
                        "SELECT queryid FROM pg_stat_statements WHERE query LIKE '%slow_queries_it%' AND query LIKE '%pg_sleep%' LIMIT 1")) {
            assertThat(rows.next()).isTrue();
            return rows.getLong(1);
        }
    }

    private static Instant lastSnapshot(Connection connection, long queryid, long calls) {
        try (var statement = connection.prepareStatement(
                "SELECT max(taken_at) FROM statement_snapshots WHERE queryid = ? AND calls = ?")) {
            statement.setLong(1, queryid);
            statement.setLong(2, calls);
            try (var rows = statement.executeQuery()) {
                rows.next();
                var at = rows.getTimestamp(1);
                return at == null ? null : at.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
