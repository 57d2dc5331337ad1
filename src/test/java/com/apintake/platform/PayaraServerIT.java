package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Folders;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's "Deploying to Payara Server" steps, word for word, on a real Payara Server 6 (the
 * distribution the build unpacks to target/payara-server): a fresh domain on free loopback ports,
 * add-library of the driver, the prod command file rendered with only the connection variables
 * changed, multimode, deploy; then health, and a pool change by `asadmin set` that
 * /api/v1/database/connections shows at once. The domain is stopped at the end. Its own database
 * (ap_intake_server). AS_ADMIN_PORT points the README's plain asadmin commands at the test domain.
 */
class PayaraServerIT {

    static final String DATABASE = "ap_intake_server";
    static final String DOMAIN = "ap-intake-it";
    static final String ADMIN_PASSWORD =
            java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));

    static Path basedir;
    static Path work;
    static Path asadmin;
    static int portBase;
    static URL base;

    @BeforeAll
    static void createAndStartDomain() throws Exception {
        basedir = Path.of(System.getProperty("apintake.basedir"));
        work = basedir.resolve("target/it/payara-server");
        Folders.deleteRecursively(work);
        Files.createDirectories(work);
        asadmin = basedir.resolve("target/payara-server/payara6/bin/asadmin");
        assertThat(asadmin)
                .as("Payara Server unpacked by the build (pom: payara-server)")
                .exists();
        TestEnvironment.postgres().dropDatabaseIfExists(DATABASE);
        TestEnvironment.postgres().createDatabaseIfMissing(DATABASE);

        portBase = freePortBase();
        run(List.of(
                asadmin.toString(),
                "create-domain",
                "--nopassword",
                "--portbase",
                Integer.toString(portBase),
                "--domaindir",
                work.toString(),
                DOMAIN));
        loopbackOnly(work.resolve(DOMAIN).resolve("config/domain.xml"));
        run(List.of(asadmin.toString(), "start-domain", "--domaindir", work.toString(), DOMAIN));
        base = new URL("http://127.0.0.1:" + (portBase + 80) + "/");
    }

    @AfterAll
    static void stopDomain() throws Exception {
        if (asadmin != null && Files.exists(work.resolve(DOMAIN))) {
            run(List.of(asadmin.toString(), "stop-domain", "--kill=true", "--domaindir", work.toString(), DOMAIN));
        }
        TestEnvironment.postgres().dropDatabaseIfExists(DATABASE);
    }

    @Test
    void theReadmeDeploymentWorksAndThePoolIsTunedWithAsadminSet() throws Exception {
        Path rendered = work.resolve("ap-intake-prod.asadmin");
        // README, "Deploying to Payara Server": the same commands, the connection variables set for this test.
        run(List.of(
                asadmin.toString(),
                "add-library",
                basedir.resolve("target/runtime/postgresql.jar").toString()));
        String prod =
                run(List.of("bash", basedir.resolve("server-config/render.sh").toString(), "prod"));
        Files.writeString(rendered, prod, StandardCharsets.UTF_8);
        run(List.of(asadmin.toString(), "multimode", "--file", rendered.toString()));
        // prod.asadmin's sizing: Payara Server's built-in http-thread-pool default is 5 workers, below the admission
        // limit.
        assertThat(run(List.of(
                        asadmin.toString(),
                        "get",
                        "configs.config.server-config.thread-pools.thread-pool.http-thread-pool.max-thread-pool-size")))
                .contains("max-thread-pool-size=200");
        run(List.of(
                asadmin.toString(),
                "deploy",
                "--contextroot",
                "/",
                "--name",
                "ap-intake",
                basedir.resolve("target/ap-intake.war").toString()));

        assertThat(eventually(
                        Duration.ofMinutes(5),
                        () -> Http.anonymous().get(base, "/health/ready").status() == 200))
                .as("/health/ready on Payara Server")
                .isTrue();
        JsonObject pool = pool();
        assertThat(pool.getString("name")).isEqualTo("ApIntakePool");
        assertThat(pool.getInt("maxPoolSize")).as("prod: 25 + 50").isEqualTo(75);

        run(List.of(asadmin.toString(), "set", "resources.jdbc-connection-pool.ApIntakePool.max-pool-size=100"));
        assertThat(pool().getInt("maxPoolSize"))
                .as("changed at runtime, no redeploy")
                .isEqualTo(100);
    }

    private static JsonObject pool() {
        var answer = Http.as(TestEnvironment.ADMIN_USER, ADMIN_PASSWORD).get(base, "/api/v1/database/connections");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonObject>json().getJsonObject("pool");
    }

    /** Runs a command with the environment an operator would have set; returns its standard output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("AS_ADMIN_PORT", Integer.toString(portBase + 48));
        env.put("AS_ADMIN_HOST", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // The connection variables of the README table; TLS off for the local test database.
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_PORT", Integer.toString(TestEnvironment.postgres().port()));
        env.put("DB_NAME", DATABASE);
        env.put("DB_USER", TestEnvironment.USER);
        env.put("DB_SSL_MODE", "disable");
        // What the server process needs in its environment (start-domain passes it on).
        env.put("DB_PASSWORD", "unused-trust-on-loopback");
        env.put("ADMIN_USER", TestEnvironment.ADMIN_USER);
        env.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("APINTAKE_INBOX_DIR", work.resolve("inbox").toString());
        env.put("APINTAKE_EXPORT_DIR", work.resolve("exports").toString());
        env.put("APINTAKE_BACKUP_DIR", work.resolve("backups").toString());
        env.put("APINTAKE_BACKUP_SCHEDULE", "off");
        env.put("APINTAKE_BACKUP_BASE_SCHEDULE", "off");
        env.put("APINTAKE_BACKUP_DRILL_SCHEDULE", "off");
        env.put("APINTAKE_MAINTENANCE_WEEKLY", "off");
        env.put("APINTAKE_MAINTENANCE_DAILY", "off");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s:%n%s", command, output).isZero();
        return output;
    }

    /** HTTP, HTTPS, admin and IIOP listeners on 127.0.0.1 instead of every interface (before the first start). */
    private static void loopbackOnly(Path domainXml) throws IOException {
        String xml = Files.readString(domainXml, StandardCharsets.UTF_8);
        xml = xml.replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"")
                .replaceAll("<network-listener (?![^>]*address=)", "<network-listener address=\"127.0.0.1\" ");
        Files.writeString(domainXml, xml, StandardCharsets.UTF_8);
    }

    /** A port base whose admin (+48) and HTTP (+80) ports are free, below the ephemeral range. */
    private static int freePortBase() throws IOException {
        for (int base = 20_000 + (int) (ProcessHandle.current().pid() % 100) * 100; base < 32_000; base += 100) {
            if (free(base + 48) && free(base + 80) && free(base + 81) && free(base + 86) && free(base + 37)) {
                return base;
            }
        }
        throw new IOException("no free port base found");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static boolean eventually(Duration timeout, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.call()) {
                    return true;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(2000);
        }
        return false;
    }
}
