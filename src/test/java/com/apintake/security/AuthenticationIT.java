package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.RawHttp;
import com.apintake.testsupport.TestEnvironment;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the authentication module (BasicAuthentication, a Jakarta Authentication ServerAuthModule)
 * answers when it cannot check credentials at all: the user store is the database, so while it is
 * down a login the credential cache does not hold is answered 503 with Retry-After as problem+json
 * (not 401, which would tell a script its password is wrong), by the API and by /openapi alike.
 */
@ExtendWith(ArquillianExtension.class)
class AuthenticationIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void whileTheUserStoreIsDownALoginIs503WithRetryAfter() throws Exception {
        // From 127.0.0.9: the failed login at the end does not count against 127.0.0.1, which every other test uses.
        String from = "127.0.0.9";
        String stranger = RawHttp.basic("nobody-while-down", "some-password-1");
        var postgres = TestEnvironment.postgres();
        postgres.stop();
        try {
            var api = RawHttp.get(base, from, "/api/v1/invoices", stranger);
            assertThat(api.status()).as(api.body()).isEqualTo(503);
            assertThat(api.header("Retry-After")).isNotBlank();
            assertThat(api.header("Content-Type")).startsWith("application/problem+json");
            assertThat(api.body()).contains("Credentials cannot be checked");
            assertThat(api.header("WWW-Authenticate")).isNull();

            var openapi = RawHttp.get(base, from, "/openapi", stranger);
            assertThat(openapi.status()).as(openapi.body()).isEqualTo(503);
            assertThat(openapi.header("Retry-After")).isNotBlank();
            assertThat(openapi.header("Content-Type")).startsWith("application/problem+json");

            assertThat(Http.anonymous().get(base, "/health/live").status())
                    .as("the probes answer without the user store")
                    .isEqualTo(200);
        } finally {
            postgres.start();
        }
        // Back to the ordinary answer once the database is: 401, the credentials are not accepted.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        RawHttp.Answer answer;
        do {
            answer = RawHttp.get(base, from, "/api/v1/invoices", stranger);
            if (answer.status() == 401) {
                break;
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(deadline));
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.body()).contains("not accepted");
    }
}
