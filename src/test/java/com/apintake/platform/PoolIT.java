package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pool is a server resource with the test environment's sizes (server-config/test.asadmin), read back from the running server. */
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
}
