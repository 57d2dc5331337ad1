package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** server-config/render.sh turns an environment's asadmin file and the seed's variables into commands. */
class ServerConfigTest {

    record Rendered(int exit, String out, String err) {
        String option(String name) {
            Matcher matcher = Pattern.compile("--" + name + "=(\\S+)").matcher(out);
            assertThat(matcher.find()).as("--" + name + " in\n" + out).isTrue();
            return matcher.group(1);
        }
    }

    @Test
    void prodFollowsTheSeed() throws Exception {
        Rendered prod = render("prod", Map.of());
        assertThat(prod.exit()).as(prod.err()).isZero();
        assertThat(prod.option("steadypoolsize")).isEqualTo("25");
        assertThat(prod.option("maxpoolsize")).isEqualTo("75");
        assertThat(prod.option("maxwait")).isEqualTo("30000");
        assertThat(prod.option("idletimeout")).isEqualTo("3600");
        assertThat(prod.option("isconnectvalidatereq")).isEqualTo("true");
        assertThat(prod.option("leakreclaim")).isEqualTo("true");
        assertThat(prod.option("statementtimeout")).isEqualTo("30");
        assertThat(prod.out())
                .contains("ApplicationName=ap-intake-prod")
                .contains(":ssl=true:sslmode=verify-full:sslrootcert=/etc/ap-intake/db-root.crt")
                .contains("slow-query-threshold-in-seconds=1")
                .contains("set-monitoring-level --module=jdbc-connection-pool --level=HIGH")
                .contains("create-jdbc-resource --connectionpoolid=ApIntakePool jdbc/apintake")
                .doesNotContain("#@default");
    }

    @Test
    void theSeedsVariablesOverrideTheDefaults() throws Exception {
        Rendered prod = render(
                "prod",
                Map.of(
                        "DATABASE_POOL_SIZE",
                        "35",
                        "DATABASE_MAX_OVERFLOW",
                        "70",
                        "DATABASE_POOL_TIMEOUT",
                        "12",
                        "DATABASE_POOL_RECYCLE",
                        "600",
                        "DATABASE_POOL_PRE_PING",
                        "False",
                        "DB_HOST",
                        "db.internal",
                        "DB_PORT",
                        "6432",
                        "DB_NAME",
                        "ap",
                        "DB_USER",
                        "ap_app"));
        assertThat(prod.exit()).as(prod.err()).isZero();
        assertThat(prod.option("steadypoolsize")).isEqualTo("35");
        assertThat(prod.option("maxpoolsize")).isEqualTo("105");
        assertThat(prod.option("maxwait")).isEqualTo("12000");
        assertThat(prod.option("idletimeout")).isEqualTo("600");
        assertThat(prod.option("isconnectvalidatereq")).isEqualTo("false");
        assertThat(prod.out())
                .contains(
                        "user=ap_app:password=${ENV=DB_PASSWORD}:serverName=db.internal:portNumber=6432:databaseName=ap:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "test", "prod"})
    void theReadPoolPointsAtThePrimaryUnlessAReplicaIsNamed(String environment) throws Exception {
        Rendered primaryOnly = render(environment, Map.of("DB_HOST", "db.internal", "DB_PORT", "6432"));
        assertThat(primaryOnly.exit()).as(primaryOnly.err()).isZero();
        assertThat(primaryOnly.out())
                .contains("create-jdbc-resource --connectionpoolid=ApIntakeReadPool jdbc/apintake-read")
                .containsPattern("serverName=db\\.internal:portNumber=6432:\\S*ApplicationName=ap-intake-" + environment
                        + "-read\\S* ApIntakeReadPool");
        Rendered replica = render(
                environment,
                Map.of(
                        "DB_HOST",
                        "db.internal",
                        "DB_PORT",
                        "6432",
                        "DB_READ_HOST",
                        "replica.internal",
                        "DB_READ_PORT",
                        "6433"));
        assertThat(replica.exit()).as(replica.err()).isZero();
        assertThat(replica.out())
                .contains("serverName=db.internal:portNumber=6432:")
                .containsPattern("serverName=replica\\.internal:portNumber=6433:\\S* ApIntakeReadPool")
                .doesNotContain("#@default");
        assertThat(render(environment, Map.of("DB_READ_PORT", "replica")).exit())
                .isEqualTo(2);
        assertThat(render(environment, Map.of("DB_READ_HOST", "a b")).exit()).isEqualTo(2);
    }

    @Test
    void thePasswordIsNeverRendered() throws Exception {
        Rendered dev = render("dev", Map.of("DB_PASSWORD", "s3cret-value"));
        assertThat(dev.exit()).isZero();
        assertThat(dev.out() + dev.err()).doesNotContain("s3cret-value").contains("${ENV=DB_PASSWORD}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "test"})
    void devAndTestAreSmallAndPlain(String environment) throws Exception {
        Rendered rendered = render(environment, Map.of());
        assertThat(rendered.exit()).as(rendered.err()).isZero();
        assertThat(Integer.parseInt(rendered.option("maxpoolsize"))).isLessThanOrEqualTo(10);
        assertThat(rendered.out())
                .contains("ApplicationName=ap-intake-" + environment)
                .contains("sslmode=disable");
    }

    @Test
    void badValuesAreRefusedWithTheirName() throws Exception {
        Rendered bad = render("prod", Map.of("DATABASE_POOL_SIZE", "many"));
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("DATABASE_POOL_SIZE");
        assertThat(render("prod", Map.of("DB_SSL_MODE", "sometimes")).exit()).isEqualTo(2);
        assertThat(render("prod", Map.of("DB_HOST", "a:b")).exit()).isEqualTo(2);
        assertThat(render("staging", Map.of()).exit()).isEqualTo(2);
    }

    /** Pre-ping at most once per period per connection (issue 10: a SELECT 1 per checkout was a round trip per upload). */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "test", "prod"})
    void bothPoolsValidateAtMostOncePerPeriod(String environment) throws Exception {
        Rendered rendered = render(environment, Map.of());
        assertThat(rendered.exit()).as(rendered.err()).isZero();
        assertThat(rendered.option("isconnectvalidatereq")).isEqualTo("true");
        assertThat(rendered.out())
                .contains("ApIntakePool.validate-atmost-once-period-in-seconds=2\n")
                .contains("ApIntakeReadPool.validate-atmost-once-period-in-seconds=2\n");
        assertThat(render(environment, Map.of("DATABASE_POOL_VALIDATE_PERIOD", "0"))
                        .out())
                .contains("ApIntakePool.validate-atmost-once-period-in-seconds=0\n");
    }

    private static Rendered render(String environment, Map<String, String> settings)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "server-config/render.sh", environment);
        for (String key : new String[] {
            "DATABASE_POOL_SIZE",
            "DATABASE_MAX_OVERFLOW",
            "DATABASE_POOL_TIMEOUT",
            "DATABASE_POOL_RECYCLE",
            "DATABASE_POOL_PRE_PING",
            "DATABASE_POOL_VALIDATE_PERIOD",
            "DB_HOST",
            "DB_PORT",
            "DB_READ_HOST",
            "DB_READ_PORT",
            "DB_NAME",
            "DB_USER",
            "DB_PASSWORD",
            "DB_SSL_MODE",
            "DB_SSL_ROOT_CERT"
        }) {
            builder.environment().remove(key);
        }
        builder.environment().putAll(settings);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Rendered(process.exitValue(), out, err);
    }
}
