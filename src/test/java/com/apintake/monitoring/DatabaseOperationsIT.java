package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PgHero-style operations against conditions created for real: a sleeping query that is listed
 * and cancelled (and audited), a blocked session with its blocker, PostgreSQL's own processes refused,
 * writes refused by EXPLAIN with the table unchanged, and an index suggested for a selective scan.
 */
@ExtendWith(ArquillianExtension.class)
class DatabaseOperationsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aSleepingQueryIsListedCancelledAndAudited() throws Exception {
        try (Connection sleeper = TestEnvironment.connect()) {
            int pid = pid(sleeper);
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try {
                    sleeper.createStatement().execute("SELECT pg_sleep(60) /* monitoring-it sleeper */");
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getSQLState(), e);
                }
            });
            JsonObject live = Await.until(
                    () -> liveQuery(pid),
                    q -> q != null && q.getString("state").equals("active"),
                    Duration.ofSeconds(15),
                    "the sleeping query among the live queries");
            assertThat(live.getString("query")).contains("pg_sleep(60)");
            assertThat(live.getString("backendType")).isEqualTo("client backend");
            assertThat(live.getString("waitEvent")).isEqualTo("PgSleep");

            var cancel = Http.post(
                    base, "/api/v1/database/live-queries/" + pid + "/cancel", "application/json", new byte[0]);
            assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
            assertThat(cancel.<JsonObject>json().getBoolean("signalled")).isTrue();

            try {
                sleeping.get(20, TimeUnit.SECONDS);
                throw new AssertionError("the sleeping query should have been cancelled");
            } catch (ExecutionException e) {
                assertThat(e.getCause().getMessage())
                        .as("SQLState of a cancelled statement")
                        .isEqualTo("57014");
            }
            assertThat(sleeper.isValid(2)).as("cancel keeps the session").isTrue();

            JsonArray audit = Http.get(base, "/api/v1/audit?action=database.cancel")
                    .<JsonObject>json()
                    .getJsonArray("items");
            assertThat(audit.getValuesAs(JsonObject.class))
                    .anyMatch(e -> e.getString("subject").equals("pid " + pid)
                            && e.getString("actor").equals(TestEnvironment.ADMIN_USER));
        }
    }

    @Test
    void aBlockedSessionNamesItsBlockerAndTerminateEndsTheBlocker() throws Exception {
        try (Connection holder = TestEnvironment.connect();
                Connection waiter = TestEnvironment.connect()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE vendors IN ACCESS EXCLUSIVE MODE");
            int holderPid = pid(holder);
            int waiterPid = pid(waiter);
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try {
                    waiter.createStatement().execute("SELECT count(*) FROM vendors");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonObject live = Await.until(
                    () -> liveQuery(waiterPid),
                    q -> q != null && !q.getJsonArray("blockedBy").isEmpty(),
                    Duration.ofSeconds(15),
                    "the waiting session with its blocker");
            assertThat(live.getJsonArray("blockedBy").getInt(0)).isEqualTo(holderPid);
            assertThat(live.getString("waitEventType")).isEqualTo("Lock");

            var terminate = Http.post(
                    base, "/api/v1/database/live-queries/" + holderPid + "/terminate", "application/json", new byte[0]);
            assertThat(terminate.status()).as(terminate.body()).isEqualTo(200);
            blocked.get(20, TimeUnit.SECONDS);
            assertThat(holder.isValid(2)).as("terminate ends the session").isFalse();
        }
    }

    @Test
    void postgresOwnProcessesAndUnknownPidsAreRefused() throws Exception {
        int checkpointer;
        try (Connection connection = TestEnvironment.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")) {
            assertThat(rows.next()).isTrue();
            checkpointer = rows.getInt(1);
        }
        var refused = Http.post(
                base, "/api/v1/database/live-queries/" + checkpointer + "/terminate", "application/json", new byte[0]);
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.contentType()).contains("application/problem+json");
        assertThat(refused.body()).contains("checkpointer");

        var unknown =
                Http.post(base, "/api/v1/database/live-queries/999999999/cancel", "application/json", new byte[0]);
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.contentType()).contains("application/problem+json");

        var anonymous = Http.anonymous().get(base, "/api/v1/database/live-queries");
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void explainRefusesWritesAndLeavesTheTableUnchanged() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            var ddl = connection.createStatement();
            ddl.execute("DROP TABLE IF EXISTS explain_guard");
            ddl.execute("CREATE TABLE explain_guard (id int PRIMARY KEY, amount numeric(12, 2) NOT NULL)");
            ddl.execute("INSERT INTO explain_guard VALUES (1, 10.00), (2, 20.00), (3, 30.00)");
        }
        try {
            String before = contents();
            for (String[] attempt : new String[][] {
                {"DELETE FROM explain_guard", "false"},
                {"UPDATE explain_guard SET amount = 0", "true"},
                {"SELECT 1; DELETE FROM explain_guard", "true"},
                {"SELECT 1 /* ; */ ; TRUNCATE explain_guard", "false"},
                {"WITH gone AS (DELETE FROM explain_guard RETURNING id) SELECT count(*) FROM gone", "true"},
                {"SELECT * FROM explain_guard FOR UPDATE", "true"},
            }) {
                var answer = explain(attempt[0], Boolean.parseBoolean(attempt[1]));
                assertThat(answer.status())
                        .as(attempt[0] + ": " + answer.body())
                        .isEqualTo(400);
                assertThat(answer.contentType()).contains("application/problem+json");
                assertThat(answer.body()).doesNotContain("Exception");
            }
            assertThat(contents()).as("explain_guard after the refused writes").isEqualTo(before);
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DROP TABLE explain_guard");
            }
        }

        var missing = explain("SELECT * FROM no_such_table", false);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body()).contains("no_such_table");
    }

    @Test
    void aSelectiveSequentialScanOfABigTableGetsAnIndexSuggestion() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            var ddl = connection.createStatement();
            ddl.execute("DROP TABLE IF EXISTS explain_probe");
            ddl.execute("CREATE TABLE explain_probe (id bigint PRIMARY KEY, code int NOT NULL, note text)");
            ddl.execute("INSERT INTO explain_probe SELECT g, g % 5000, 'row ' || g FROM generate_series(1, 50000) g");
            ddl.execute("ANALYZE explain_probe");
        }
        try {
            var answer = explain("SELECT id, note FROM explain_probe WHERE code = 42;", true);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonObject plan = answer.json();
            assertThat(plan.getBoolean("analyzed")).isTrue();
            assertThat(plan.getString("text")).contains("Seq Scan on explain_probe");
            assertThat(plan.getJsonArray("json")
                            .getJsonObject(0)
                            .getJsonObject("Plan")
                            .containsKey("Actual Rows"))
                    .isTrue();
            JsonObject suggestion = plan.getJsonArray("suggestedIndexes").getJsonObject(0);
            assertThat(suggestion.getString("table")).isEqualTo("public.explain_probe");
            assertThat(suggestion.getJsonArray("columns").getString(0)).isEqualTo("code");
            assertThat(suggestion.getJsonNumber("rowsKept").doubleValue()).isEqualTo(10);
            assertThat(suggestion.getString("changeSet"))
                    .contains("runInTransaction:false")
                    .contains(
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_explain_probe_code ON public.explain_probe (code);")
                    .contains("--rollback DROP INDEX CONCURRENTLY IF EXISTS public.idx_explain_probe_code;");

            // An unselective filter, or a table with the index, gets no suggestion.
            assertThat(explain("SELECT count(*) FROM explain_probe WHERE code >= 0", false)
                            .<JsonObject>json()
                            .getJsonArray("suggestedIndexes"))
                    .isEmpty();
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("CREATE INDEX explain_probe_code ON explain_probe (code)");
            }
            assertThat(explain("SELECT id FROM explain_probe WHERE code = 42", false)
                            .<JsonObject>json()
                            .getJsonArray("suggestedIndexes"))
                    .isEmpty();
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DROP TABLE IF EXISTS explain_probe");
            }
        }
    }

    private Http.Answer explain(String query, boolean analyze) {
        return Http.postJson(
                base,
                "/api/v1/database/explain",
                Json.createObjectBuilder()
                        .add("query", query)
                        .add("analyze", analyze)
                        .build()
                        .toString());
    }

    private JsonObject liveQuery(int pid) {
        var answer = Http.get(base, "/api/v1/database/live-queries");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonArray>json().getValuesAs(JsonObject.class).stream()
                .filter(q -> q.getInt("pid") == pid)
                .findFirst()
                .orElse(null);
    }

    private static int pid(Connection connection) throws SQLException {
        try (var rows = connection.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static String contents() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT string_agg(id || '=' || amount, ',' ORDER BY id) FROM explain_guard")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
