package com.apintake.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monthly partitions of validations, invoice_extractions and audit_log (Liquibase 160-163) and their
 * upkeep by the daily maintenance: created ahead, dropped past the retention (36 months for validations
 * in the test server, dumped first), pruned by time-bounded queries, audit_log still append-only.
 */
@ExtendWith(ArquillianExtension.class)
class PartitionsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    private static String month(YearMonth month) {
        return String.format("_p%04d_%02d", month.getYear(), month.getMonthValue());
    }

    @Test
    void dailyMaintenanceCreatesPartitionsAheadAndDropsAnExpiredOneAfterDumpingIt() throws Exception {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        String ahead = "invoice_extractions" + month(now.plusMonths(3));
        String old = "validations" + month(now.minusMonths(40));
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            // A month ahead that is missing (nothing can be in it yet), and an old month with one row in it.
            statement.execute("DROP TABLE IF EXISTS " + ahead);
            statement.execute("SELECT create_month_partition('validations', (now() - interval '40 months')::date)");
            statement.execute("""
                    WITH i AS (INSERT INTO invoices (file_hash, content_type, size_bytes)
                               VALUES (encode(sha256(random()::text::bytea), 'hex'), 'application/xml', 1) RETURNING id)
                    INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                    SELECT id, 'PARTITION-PROBE', true, date_trunc('month', now() - interval '40 months') + interval '1 day'
                    FROM i""");
        }
        assertThat(exists(ahead)).isFalse();
        assertThat(exists(old)).isTrue();

        var run = Http.post(base, "/api/v1/database/maintenance/run?kind=daily", "application/json", new byte[0]);
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        JsonObject result = run.json();
        assertThat(result.getString("outcome")).as(run.body()).isEqualTo("SUCCEEDED");
        List<JsonObject> actions = result.getJsonArray("actions").getValuesAs(JsonObject.class);
        assertThat(actions).anySatisfy(a -> {
            assertThat(a.getString("kind")).isEqualTo("create-partitions");
            assertThat(a.getString("detail")).contains(ahead);
        });
        assertThat(actions).anySatisfy(a -> {
            assertThat(a.getString("kind")).isEqualTo("drop-partition");
            assertThat(a.getString("target")).isEqualTo(old);
            assertThat(a.getString("outcome")).isEqualTo("done");
            assertThat(a.getString("detail")).contains("archived to");
        });
        assertThat(exists(ahead)).isTrue();
        assertThat(exists(old)).isFalse();
        assertThat(count("SELECT count(*) FROM validations WHERE rule_code = 'PARTITION-PROBE'"))
                .isZero();
        try (Stream<Path> files = Files.list(TestEnvironment.backups().resolve("partitions"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .anyMatch(name -> name.startsWith(old + "-") && name.endsWith(".dump.gpg"));
        }
        // Nothing else went: the current month and every audit_log partition (no retention) stay.
        assertThat(exists("validations" + month(now))).isTrue();
        assertThat(exists("audit_log" + month(now))).isTrue();
        // The maintenance table keeps the run like every other.
        JsonArray runs = Http.get(base, "/api/v1/database/maintenance").json();
        assertThat(runs.getJsonObject(0).getJsonNumber("id").longValue())
                .isEqualTo(result.getJsonNumber("id").longValue());
    }

    @Test
    void aTimeBoundedQueryReadsOnlyTheMatchingPartitions() throws Exception {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        try (Connection connection = TestEnvironment.connect()) {
            // The seed's analytics queries (002) over literal bounds, so the planner itself prunes.
            String from = "'" + now.atDay(1) + "T00:00:00Z'";
            String to = "'" + now.plusMonths(1).atDay(1) + "T00:00:00Z'";
            String twoMonths = "'" + now.plusMonths(2).atDay(1) + "T00:00:00Z'";
            assertThat(relations(
                            connection,
                            "SELECT date_trunc('day', created_at) AS day,"
                                    + " avg((confidence_json->>'overall')::float) FROM invoice_extractions"
                                    + " WHERE created_at >= " + from + " AND created_at < " + to + " GROUP BY 1"))
                    .containsExactly("invoice_extractions" + month(now));
            assertThat(relations(
                            connection,
                            "SELECT rule_code, count(*) FILTER (WHERE passed), count(*)"
                                    + " FROM validations WHERE created_at >= " + from + " AND created_at < " + twoMonths
                                    + " GROUP BY rule_code"))
                    .containsExactlyInAnyOrder("validations" + month(now), "validations" + month(now.plusMonths(1)));
            assertThat(relations(connection, "SELECT count(*) FROM audit_log WHERE at >= " + from))
                    .doesNotContain("audit_log" + month(now.minusMonths(1)))
                    .contains("audit_log" + month(now));
        }
    }

    @Test
    void auditLogStaysAppendOnlyOnTheParentAndOnEveryPartition() throws Exception {
        String partition = "audit_log" + month(YearMonth.now(ZoneOffset.UTC));
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO audit_log (actor, action, subject) VALUES ('it', 'partition.probe', 'x')");
            for (String sql : List.of(
                    "UPDATE audit_log SET detail = 'changed' WHERE action = 'partition.probe'",
                    "DELETE FROM audit_log WHERE action = 'partition.probe'",
                    "UPDATE " + partition + " SET detail = 'changed' WHERE action = 'partition.probe'",
                    "DELETE FROM " + partition + " WHERE action = 'partition.probe'",
                    "TRUNCATE audit_log",
                    "TRUNCATE " + partition,
                    "TRUNCATE audit_log_default")) {
                assertThatThrownBy(() -> statement.execute(sql))
                        .as("the owner: %s", sql)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only");
            }
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL ROLE ap_app");
            for (String sql : List.of(
                    "UPDATE audit_log SET detail = 'changed'",
                    "DELETE FROM audit_log",
                    "DELETE FROM " + partition,
                    "INSERT INTO " + partition + " (actor, action) VALUES ('it', 'partition.probe')",
                    "TRUNCATE " + partition)) {
                statement.execute("SAVEPOINT probe");
                assertThatThrownBy(() -> statement.execute(sql))
                        .as("ap_app: %s", sql)
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
                statement.execute("ROLLBACK TO SAVEPOINT probe");
            }
            connection.rollback();
        }
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'partition.probe' AND detail IS NULL"))
                .isEqualTo(1);
    }

    /** The tables a plan reads (Relation Name of every node), from EXPLAIN (FORMAT JSON). */
    private static List<String> relations(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
            rows.next();
            List<String> names = new ArrayList<>();
            collect(Json.createReader(new StringReader(rows.getString(1))).readArray(), names);
            return names;
        }
    }

    private static void collect(JsonValue node, List<String> names) {
        if (node instanceof JsonObject object) {
            if (object.containsKey("Relation Name")) {
                names.add(object.getString("Relation Name"));
            }
            object.values().forEach(value -> collect(value, names));
        } else if (node instanceof JsonArray array) {
            array.forEach(value -> collect(value, names));
        }
    }

    private static boolean exists(String table) throws SQLException {
        return count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "' AND relkind = 'r'") > 0;
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
