package com.apintake.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The weekly and daily maintenance run on demand, against conditions made for real. */
@ExtendWith(ArquillianExtension.class)
class MaintenanceIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void weeklyAnalyzesStaleTablesGivesUpOnALockedOneAndStoresTheReport() throws Exception {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS maintenance_stale, maintenance_locked");
            statement.execute("CREATE TABLE maintenance_stale AS SELECT g AS id FROM generate_series(1, 5000) g");
            statement.execute("CREATE TABLE maintenance_locked AS SELECT g AS id FROM generate_series(1, 5000) g");
        }
        Timestamp before = lastAnalyze("maintenance_stale");
        try (Connection holder = TestEnvironment.connect()) {
            holder.setAutoCommit(false);
            // What a concurrent VACUUM, ANALYZE or CREATE INDEX CONCURRENTLY holds: it conflicts with ANALYZE, not with
            // reads.
            holder.createStatement().execute("LOCK TABLE maintenance_locked IN SHARE UPDATE EXCLUSIVE MODE");
            var run = Http.post(base, "/api/v1/database/maintenance/run?kind=weekly", "application/json", new byte[0]);
            holder.rollback();
            assertThat(run.status()).as(run.body()).isEqualTo(200);
            JsonObject result = run.json();
            assertThat(result.getString("outcome")).isEqualTo("PARTIAL");
            List<JsonObject> actions = result.getJsonArray("actions").getValuesAs(JsonObject.class);
            assertThat(actions).anySatisfy(a -> {
                assertThat(a.getString("target")).isEqualTo("\"public\".\"maintenance_stale\"");
                assertThat(a.getString("outcome")).isEqualTo("done");
            });
            assertThat(actions).anySatisfy(a -> {
                assertThat(a.getString("target")).isEqualTo("\"public\".\"maintenance_locked\"");
                assertThat(a.getString("outcome")).isEqualTo("skipped");
                assertThat(a.getString("detail")).contains("lock");
            });
            assertThat(lastAnalyze("maintenance_stale")).isNotNull().isNotEqualTo(before);
            assertThat(lastAnalyze("maintenance_locked"))
                    .as("never analyzed while locked")
                    .isNull();

            long report = result.getJsonNumber("reportId").longValue();
            JsonObject json =
                    Http.get(base, "/api/v1/database/reports/" + report).json();
            assertThat(json.getString("kind")).isEqualTo("weekly");
            assertThat(json.getJsonObject("health").getInt("score")).isBetween(0, 100);
            assertThat(json.getJsonArray("indexUsage").getValuesAs(JsonObject.class))
                    .filteredOn(i -> i.getBoolean("liquibaseOwned"))
                    .hasSize(7);
            assertThat(json.getJsonArray("tableGrowth").getValuesAs(JsonObject.class))
                    .anyMatch(t -> t.getString("table").equals("public.invoices"));
            assertThat(json.getJsonArray("maintenance")).isNotEmpty();

            var markdown = Http.send(HttpRequest.newBuilder(Http.resolve(base, "/api/v1/database/reports/" + report))
                    .header("Accept", "text/markdown"));
            assertThat(markdown.body())
                    .startsWith("# Weekly performance report")
                    .contains("## Index usage");
            var html = Http.get(base, "/api/v1/database/reports/" + report + "?format=html");
            assertThat(html.contentType()).startsWith("text/html");
            assertThat(html.body()).contains("<table>").contains("idx_invoices_file_hash_created");
            JsonArray reports = Http.get(base, "/api/v1/database/reports").json();
            assertThat(reports.getJsonObject(0).getJsonNumber("id").longValue()).isEqualTo(report);
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DROP TABLE IF EXISTS maintenance_stale, maintenance_locked");
            }
        }
    }

    @Test
    void dailyPurgesExpiredSnapshotsAndAlertsAndIsRecorded() throws Exception {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute(
                    "INSERT INTO monitoring_snapshots (taken_at) VALUES (now() - interval '40 days') ON CONFLICT DO NOTHING");
            statement.execute("""
                    INSERT INTO alerts (condition, severity, summary, source, opened_at, last_seen_at, resolved_at)
                    VALUES ('maintenance_probe', 'warning', 'old', 'test', now() - interval '100 days',
                            now() - interval '99 days', now() - interval '95 days')""");
        }
        var run = Http.post(base, "/api/v1/database/maintenance/run?kind=daily", "application/json", new byte[0]);
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        assertThat(run.<JsonObject>json().getString("outcome")).isEqualTo("SUCCEEDED");
        assertThat(count("SELECT count(*) FROM monitoring_snapshots WHERE taken_at < now() - interval '31 days'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM alerts WHERE condition = 'maintenance_probe'"))
                .isZero();

        JsonArray runs = Http.get(base, "/api/v1/database/maintenance").json();
        JsonObject newest = runs.getJsonObject(0);
        assertThat(newest.getString("kind")).isEqualTo("daily");
        assertThat(newest.getString("trigger")).isEqualTo("manual");
        assertThat(newest.getString("finishedAt")).isNotBlank();
        assertThat(Http.post(base, "/api/v1/database/maintenance/run?kind=hourly", "application/json", new byte[0])
                        .status())
                .isEqualTo(400);
    }

    private static Timestamp lastAnalyze(String table) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement =
                        connection.prepareStatement("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = ?")) {
            statement.setString(1, table);
            try (var rows = statement.executeQuery()) {
                return rows.next() ? rows.getTimestamp(1) : null;
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
