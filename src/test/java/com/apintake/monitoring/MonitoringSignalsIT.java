package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The figures issue 12 added to the loop, for real: a trend snapshot holds the space figures, the
 * biggest tables and the contributed components (served by GET /trends); a stuck intake job costs
 * the intake_queue_age component its points and opens the alert of that name, which resolves once
 * the job is gone; without a (reachable) replica the replica components are unmeasured, cost nothing and
 * say why.
 */
@ExtendWith(ArquillianExtension.class)
class MonitoringSignalsIT {

    static final String[] SPACE_COLUMNS = {
        "database_bytes",
        "index_bytes",
        "dead_tuples",
        "max_sequence_used_percent",
        "xid_age_percent",
        "intake_queue_depth",
        "intake_queue_age_seconds"
    };

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aSnapshotHoldsTheSpaceFiguresTheBiggestTablesAndTheContributedComponents() throws Exception {
        Instant start = Instant.now();
        try (Connection connection = TestEnvironment.connect()) {
            Map<String, Object> snapshot = Await.until(
                    () -> snapshotAfter(connection, start), s -> s != null, Duration.ofSeconds(30), "a new snapshot");
            for (String column : SPACE_COLUMNS) {
                assertThat(snapshot.get(column)).as(column + " in " + snapshot).isNotNull();
            }
            assertThat(((Number) snapshot.get("index_bytes")).longValue()).isPositive();
            assertThat(((Number) snapshot.get("max_sequence_used_percent")).doubleValue())
                    .isBetween(0.0, 100.0);
            // max_dead_tuple_percent is null here: no table reaches apintake.monitoring.maintenance-min-rows.
            assertThat(snapshot).containsKey("max_dead_tuple_percent");
            assertThat(snapshot.get("replica_lag_seconds"))
                    .as("no replica in this environment: not measured, stored as null")
                    .isNull();

            Timestamp takenAt = (Timestamp) snapshot.get("taken_at");
            String biggest;
            int tables;
            try (var statement = connection.prepareStatement(
                    "SELECT count(*), (array_agg(schema_name || '.' || table_name ORDER BY total_bytes DESC))[1]"
                            + " FROM table_size_snapshots WHERE taken_at = ?")) {
                statement.setTimestamp(1, takenAt);
                try (var rows = statement.executeQuery()) {
                    rows.next();
                    tables = rows.getInt(1);
                    biggest = rows.getString(2);
                }
            }
            assertThat(tables)
                    .as("the 10 biggest tables (apintake.monitoring.trend-tables)")
                    .isEqualTo(10);

            for (String metric :
                    new String[] {"index_bytes", "max_sequence_used_percent", "intake_queue_age_seconds"}) {
                JsonObject series = Http.get(base, "/api/v1/database/trends?metric=" + metric + "&window=1h")
                        .json();
                assertThat(series.getJsonArray("points").getValuesAs(JsonObject.class))
                        .as(metric)
                        .anySatisfy(p -> assertThat(p.containsKey("value") && !p.isNull("value"))
                                .isTrue());
            }
            var table = Http.get(base, "/api/v1/database/trends?metric=table_bytes&window=1h&table=" + biggest);
            assertThat(table.status()).as(table.body()).isEqualTo(200);
            assertThat(table.<JsonObject>json().getJsonArray("points").getValuesAs(JsonObject.class))
                    .anySatisfy(p ->
                            assertThat(p.getJsonNumber("value").longValue()).isPositive());
            var noTable = Http.get(base, "/api/v1/database/trends?metric=table_bytes&window=1h");
            assertThat(noTable.status()).isEqualTo(400);
            assertThat(noTable.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void aStuckIntakeJobCostsPointsAndRaisesTheQueueAlertUntilItIsGone() throws Exception {
        String number = "MON-" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
        byte[] xml = InvoiceSamples.mutated(InvoiceSamples.UBL_INVOICE, "INV-2024-0042", number)
                .getBytes(StandardCharsets.UTF_8);
        var upload = Http.post(base, "/api/v1/invoices", "application/xml", xml);
        assertThat(upload.status()).as(upload.body()).isIn(200, 201);
        long invoice = upload.<JsonObject>json().getJsonNumber("id").longValue();
        try (Connection connection = TestEnvironment.connect()) {
            // Enqueued an hour ago, with its attempts used up, so no worker takes it: the queue is stuck.
            try (var statement = connection.prepareStatement(
                    "INSERT INTO intake_jobs (invoice_id, enqueued_at, attempts) VALUES (?, now() - interval '1 hour', 1000)")) {
                statement.setLong(1, invoice);
                statement.executeUpdate();
            }
            try {
                JsonObject age = Await.until(
                        () -> component(health(), "intake_queue_age"),
                        c -> c.containsKey("value")
                                && !c.isNull("value")
                                && c.getJsonNumber("value").doubleValue() >= 3600,
                        Duration.ofSeconds(30),
                        "the stuck job's age in the health score");
                assertThat(age.getJsonNumber("critAt").doubleValue()).isEqualTo(1800);
                assertThat(age.getJsonNumber("penalty").doubleValue())
                        .as("a critical component costs its whole weight")
                        .isEqualTo(age.getJsonNumber("weight").doubleValue());
                JsonObject alert = Await.until(
                        () -> openAlert("intake_queue_age"),
                        a -> a != null,
                        Duration.ofSeconds(30),
                        "the intake_queue_age alert");
                assertThat(alert.getString("severity")).isEqualTo("critical");
            } finally {
                try (var statement = connection.prepareStatement("DELETE FROM intake_jobs WHERE invoice_id = ?")) {
                    statement.setLong(1, invoice);
                    statement.executeUpdate();
                }
            }
            Await.until(
                    () -> openAlert("intake_queue_age"),
                    a -> a == null,
                    Duration.ofSeconds(30),
                    "the intake_queue_age alert resolved");
        }

        JsonObject health = health();
        for (String name : new String[] {"replica_lag_seconds", "replica_lag_bytes"}) {
            JsonObject replica = component(health, name);
            assertThat(!replica.containsKey("value") || replica.isNull("value"))
                    .as(name + " without a replica")
                    .isTrue();
            assertThat(replica.getJsonNumber("penalty").doubleValue()).isZero();
            // In production without a replica the read pool reaches the primary ("no replica configured"); here
            // it points at the port where ReadReplicaIT may start one, so it is unreachable unless that runs.
            assertThat(replica.getString("note")).containsAnyOf("no replica configured", "replica not measurable now");
        }
        assertThat(component(health, "intake_queue_depth")
                        .getJsonNumber("value")
                        .doubleValue())
                .isGreaterThanOrEqualTo(0);
        assertThat(component(health, "wal_archive_disk_days_left")
                        .getJsonNumber("critAt")
                        .doubleValue())
                .as("the registry's pair")
                .isEqualTo(3);
    }

    private static Map<String, Object> snapshotAfter(Connection connection, Instant start) {
        try (var statement = connection.prepareStatement(
                "SELECT * FROM monitoring_snapshots WHERE taken_at > ? ORDER BY taken_at DESC LIMIT 1")) {
            statement.setTimestamp(1, Timestamp.from(start));
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                var meta = rows.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnName(i), rows.getObject(i));
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
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
                .orElseThrow(() -> new AssertionError("no component " + name + " in " + health));
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
