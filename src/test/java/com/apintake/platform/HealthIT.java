package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ArquillianExtension.class)
class HealthIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void liveReadyAndStartedAreUp() {
        for (String probe : new String[] {"/health/live", "/health/ready", "/health/started"}) {
            var answer = Http.get(base, probe);
            assertThat(answer.status()).as(probe + ": " + answer.body()).isEqualTo(200);
            assertThat(answer.<JsonObject>json().getString("status")).isEqualTo("UP");
        }
    }

    @Test
    void readinessFollowsTheDatabase() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.stop();
        try {
            var down = awaitReadiness(503, Duration.ofSeconds(60));
            var database = down.<JsonObject>json().getJsonArray("checks").getJsonObject(0);
            assertThat(database.getString("name")).isEqualTo("database");
            assertThat(database.getJsonObject("data").getString("reachable")).isEqualTo("false");
            assertThat(Http.get(base, "/health/live").status())
                    .as("liveness must not depend on the database")
                    .isEqualTo(200);
        } finally {
            postgres.start();
        }
        var up = awaitReadiness(200, Duration.ofSeconds(60));
        assertThat(up.<JsonObject>json().getString("status")).isEqualTo("UP");
    }

    private Http.Answer awaitReadiness(int status, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Http.Answer answer;
        do {
            answer = Http.get(base, "/health/ready");
            if (answer.status() == status) {
                return answer;
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(
                "readiness never answered " + status + "; last: " + answer.status() + " " + answer.body());
    }
}
