package com.apintake.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The weekly run rebuilds a bloated index concurrently and removes an invalid index a failed
 * CREATE UNIQUE INDEX CONCURRENTLY left behind; the space page reported that invalid index first.
 */
@ExtendWith(ArquillianExtension.class)
class IndexRebuildsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aBloatedIndexIsRebuiltConcurrentlyAndAnInvalidOneIsDropped() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            var sql = connection.createStatement();
            sql.execute("DROP TABLE IF EXISTS rebuild_probe");
            sql.execute(
                    "CREATE TABLE rebuild_probe (id bigint PRIMARY KEY, code int) WITH (autovacuum_enabled = false)");
            sql.execute("INSERT INTO rebuild_probe SELECT g, g % 10 FROM generate_series(1, 100000) g");
            sql.execute("DELETE FROM rebuild_probe WHERE id > 10000");
            sql.execute("VACUUM ANALYZE rebuild_probe");
            try {
                sql.execute("CREATE UNIQUE INDEX CONCURRENTLY rebuild_probe_code ON rebuild_probe (code)");
                throw new AssertionError("the unique build should fail on duplicate codes");
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).isEqualTo("23505");
            }
        }
        try {
            long before = indexBytes("rebuild_probe_pkey");
            assertThat(before).as("the bloated primary key").isGreaterThan(1_048_576);
            JsonObject space = Http.get(base, "/api/v1/database/space").json();
            assertThat(space.getJsonArray("invalidIndexes").getValuesAs(JsonObject.class))
                    .anyMatch(i -> i.getString("index").equals("rebuild_probe_code"));

            var run = Http.post(base, "/api/v1/database/maintenance/run?kind=weekly", "application/json", new byte[0]);
            assertThat(run.status()).as(run.body()).isEqualTo(200);
            List<JsonObject> actions =
                    run.<JsonObject>json().getJsonArray("actions").getValuesAs(JsonObject.class);
            assertThat(actions).anySatisfy(a -> {
                assertThat(a.getString("kind")).isEqualTo("reindex");
                assertThat(a.getString("target")).isEqualTo("\"public\".\"rebuild_probe_pkey\"");
                assertThat(a.getString("outcome")).isEqualTo("done");
                assertThat(a.getString("detail")).contains("estimated bloat");
            });
            assertThat(actions).anySatisfy(a -> {
                assertThat(a.getString("kind")).isEqualTo("drop-invalid-index");
                assertThat(a.getString("target")).isEqualTo("\"public\".\"rebuild_probe_code\"");
                assertThat(a.getString("outcome")).isEqualTo("done");
                assertThat(a.getString("detail")).contains("CREATE UNIQUE INDEX rebuild_probe_code");
            });
            assertThat(indexBytes("rebuild_probe_pkey")).as("rebuilt").isLessThan(before / 3);
            assertThat(indexBytes("rebuild_probe_code")).as("dropped").isEqualTo(-1);
        } finally {
            try (Connection connection = TestEnvironment.connect()) {
                connection.createStatement().execute("DROP TABLE IF EXISTS rebuild_probe");
            }
        }
    }

    private static long indexBytes(String index) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.prepareStatement("SELECT coalesce(pg_relation_size(to_regclass(?)), -1)")) {
            statement.setString(1, index);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
