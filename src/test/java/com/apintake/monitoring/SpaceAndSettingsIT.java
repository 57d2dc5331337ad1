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
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /api/v1/database/space and /settings against conditions created for real: a table left
 * bloated (90 % of its rows deleted, autovacuum off for it), a sequence near the end of its range,
 * and the test server's own settings judged against the machine.
 */
@ExtendWith(ArquillianExtension.class)
class SpaceAndSettingsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aBloatedTableAndASequenceNearItsEndAreReported() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            var sql = connection.createStatement();
            sql.execute("DROP TABLE IF EXISTS space_probe");
            sql.execute("DROP SEQUENCE IF EXISTS space_probe_numbers");
            sql.execute("CREATE TABLE space_probe (id bigint PRIMARY KEY, code int, note text)"
                    + " WITH (autovacuum_enabled = false)");
            sql.execute("INSERT INTO space_probe SELECT g, g % 100, 'row ' || g FROM generate_series(1, 100000) g");
            sql.execute("DELETE FROM space_probe WHERE id > 10000");
            sql.execute("ANALYZE space_probe");
            sql.execute("CREATE SEQUENCE space_probe_numbers AS integer");
            sql.execute("SELECT setval('space_probe_numbers', 2000000000)");
        }
        try {
            // PostgreSQL 15 publishes a session's statistics (dead rows) shortly after it ends, not at once.
            JsonObject space = Await.until(
                    () -> {
                        var answer = Http.get(base, "/api/v1/database/space");
                        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                        return answer.<JsonObject>json();
                    },
                    s -> find(s.getJsonArray("tables"), "table", "space_probe")
                                    .getJsonNumber("deadRows")
                                    .longValue()
                            > 0,
                    Duration.ofSeconds(20),
                    "the dead rows of space_probe in the statistics");

            JsonObject table = find(space.getJsonArray("tables"), "table", "space_probe");
            assertThat(table.getJsonNumber("rows").longValue()).isBetween(9000L, 11000L);
            assertThat(table.getJsonNumber("deadRows").longValue()).isBetween(80000L, 90000L);
            assertThat(table.getJsonNumber("bloatPercent").doubleValue()).isGreaterThan(80);
            assertThat(table.getString("status")).isEqualTo("critical");

            JsonObject sequence = find(space.getJsonArray("sequences"), "sequence", "space_probe_numbers");
            assertThat(sequence.getJsonNumber("maxValue").longValue()).isEqualTo(2147483647L);
            assertThat(sequence.getJsonNumber("usedPercent").doubleValue()).isBetween(93.0, 93.2);
            assertThat(sequence.getString("status")).isEqualTo("critical");

            JsonObject database = space.getJsonObject("database");
            assertThat(database.getJsonNumber("bytes").longValue()).isPositive();
            assertThat(space.getJsonArray("indexes").getValuesAs(JsonObject.class))
                    .anyMatch(i -> i.getString("index").equals("space_probe_pkey"));

            // The daily snapshot is taken by the monitoring loop (snapshot-seconds in the tests: 3).
            Await.until(
                    () -> count("SELECT count(*) FROM relation_size_snapshots"
                            + " WHERE relation_name = 'space_probe' AND taken_on = current_date"),
                    n -> n == 1,
                    Duration.ofSeconds(30),
                    "today's size snapshot of space_probe");

            JsonArray recommendations =
                    Http.get(base, "/api/v1/database/recommendations").json();
            assertThat(recommendations.getValuesAs(JsonObject.class))
                    .anyMatch(r -> r.getString("kind").equals("table_bloat")
                            && r.getString("object").equals("public.space_probe"));
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DROP TABLE IF EXISTS space_probe");
                connection.createStatement().execute("DROP SEQUENCE IF EXISTS space_probe_numbers");
            }
        }
    }

    @Test
    void settingsAreJudgedAgainstTheMachineWithThePostgresqlConfLine() throws Exception {
        var answer = Http.get(base, "/api/v1/database/settings");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonObject report = answer.json();
        JsonObject machine = report.getJsonObject("machine");
        assertThat(machine.getJsonNumber("memoryBytes").longValue()).isPositive();
        assertThat(machine.getInt("cores")).isEqualTo(Runtime.getRuntime().availableProcessors());
        JsonArray settings = report.getJsonArray("settings");
        for (String name : new String[] {
            "shared_buffers",
            "effective_cache_size",
            "work_mem",
            "maintenance_work_mem",
            "random_page_cost",
            "max_wal_size",
            "autovacuum",
            "idle_in_transaction_session_timeout"
        }) {
            JsonObject setting = find(settings, "name", name);
            assertThat(setting.getString("status")).isIn("ok", "info", "warning", "critical");
            assertThat(setting.getString("postgresqlConf")).contains(name.equals("autovacuum") ? "autovacuum" : name);
            assertThat(setting.getString("reason")).isNotBlank();
        }
        String sharedBuffers;
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("SHOW shared_buffers")) {
            rows.next();
            sharedBuffers = rows.getString(1);
        }
        assertThat(find(settings, "name", "shared_buffers").getString("current"))
                .isEqualTo(sharedBuffers);
    }

    private static JsonObject find(JsonArray array, String key, String value) {
        return array.getValuesAs(JsonObject.class).stream()
                .filter(o -> o.getString(key).equals(value))
                .findFirst()
                .orElseThrow(() -> new AssertionError(value + " not in " + array));
    }

    private static long count(String sql) {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
