package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.testsupport.Folders;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import com.apintake.testsupport.TestEnvironment;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Production talks to PostgreSQL over TLS with sslmode=verify-full. A second PostgreSQL 15 runs
 * here with TLS on and a server certificate from a CA made in this test; the pool is built from
 * exactly the properties server-config/render.sh prod renders for the asadmin pool, on the pool's
 * data source class, and connects only when the CA it is given signed the server's certificate.
 */
class DatabaseTlsIT {

    private static final String STORE_PASSWORD = "changeit-" + System.nanoTime();
    private static Path work;
    private static PostgresServer tlsServer;

    @BeforeAll
    static void startTlsPostgres() throws Exception {
        work = Path.of(System.getProperty("apintake.basedir"), "target/it/tls");
        Folders.deleteRecursively(work);
        Files.createDirectories(work);
        Path serverCertificate = work.resolve("server.crt");
        Path serverKey = work.resolve("server.key");
        certificateAuthority("ca");
        certificateAuthority("other-ca");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-keystore",
                store("server"));
        keytool(
                "-certreq",
                "-alias",
                "server",
                "-keystore",
                store("server"),
                "-file",
                work.resolve("server.csr").toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                store("ca"),
                "-infile",
                work.resolve("server.csr").toString(),
                "-outfile",
                serverCertificate.toString(),
                "-rfc",
                "-validity",
                "2",
                "-ext",
                "san=dns:localhost,ip:127.0.0.1",
                "-ext",
                "ku:c=digitalSignature,keyEncipherment",
                "-ext",
                "eku=serverAuth");
        writePrivateKey(store("server"), "server", serverKey);

        tlsServer = new PostgresServer(work.resolve("data"), PayaraMicroLaunch.freePort(), TestEnvironment.USER, null)
                .withSettings(
                        "ssl = on",
                        "ssl_cert_file = '" + serverCertificate + "'",
                        "ssl_key_file = '" + serverKey + "'");
        tlsServer.start();
    }

    @AfterAll
    static void stopTlsPostgres() throws Exception {
        if (tlsServer != null) {
            tlsServer.stop();
        }
    }

    @Test
    void thePoolConnectsWithVerifyFullAndTheRightCa() throws Exception {
        var pool = prodPool(tlsServer.port(), work.resolve("ca.crt"));
        assertThat(pool).containsEntry("sslmode", "verify-full").containsEntry("ssl", "true");
        try (Connection connection = dataSource(pool).getConnection();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rows.next();
            assertThat(rows.getBoolean(1)).as("the session is encrypted").isTrue();
            assertThat(rows.getString(2)).startsWith("TLSv1.");
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        var pool = prodPool(tlsServer.port(), work.resolve("other-ca.crt"));
        assertThatThrownBy(() -> dataSource(pool).getConnection().close())
                .isInstanceOf(SQLException.class)
                .hasStackTraceContaining("SSL");
    }

    @Test
    void aServerWithoutTlsIsRefused() throws Exception {
        var pool = prodPool(TestEnvironment.postgres().port(), work.resolve("ca.crt"));
        assertThatThrownBy(() -> dataSource(pool).getConnection().close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("does not support SSL");
    }

    /** The pool properties of the rendered prod asadmin file, for a server on 127.0.0.1:port and the given CA. */
    private static Map<String, String> prodPool(int port, Path rootCertificate) throws Exception {
        ProcessBuilder render = new ProcessBuilder(
                "bash",
                Path.of(System.getProperty("apintake.basedir"), "server-config/render.sh")
                        .toString(),
                "prod");
        render.environment()
                .putAll(Map.of(
                        "DB_HOST",
                        "127.0.0.1",
                        "DB_PORT",
                        Integer.toString(port),
                        "DB_NAME",
                        "postgres",
                        "DB_USER",
                        TestEnvironment.USER,
                        "DB_SSL_ROOT_CERT",
                        rootCertificate.toString()));
        render.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = render.start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0)
                .isTrue();
        var matcher = Pattern.compile("create-jdbc-connection-pool .*--property (\\S+) ApIntakePool")
                .matcher(rendered);
        assertThat(matcher.find()).as(rendered).isTrue();
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : matcher.group(1).split(":")) {
            int equals = pair.indexOf('=');
            properties.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return properties;
    }

    /** As Payara configures the pool's data source: each property through its JavaBean setter. */
    private static PGSimpleDataSource dataSource(Map<String, String> properties) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        Map<String, PropertyDescriptor> setters = new LinkedHashMap<>();
        for (PropertyDescriptor descriptor :
                Introspector.getBeanInfo(PGSimpleDataSource.class).getPropertyDescriptors()) {
            if (descriptor.getWriteMethod() != null) {
                setters.put(descriptor.getName().toLowerCase(Locale.ROOT), descriptor);
            }
        }
        for (var property : properties.entrySet()) {
            if (property.getValue().startsWith("${ENV=")) {
                continue; // the password, resolved by Payara from its environment; the test server trusts loopback
            }
            PropertyDescriptor descriptor = setters.get(property.getKey().toLowerCase(Locale.ROOT));
            assertThat(descriptor)
                    .as("setter for pool property " + property.getKey())
                    .isNotNull();
            Class<?> type = descriptor.getPropertyType();
            Object value = type == int.class
                    ? Integer.parseInt(property.getValue())
                    : type == boolean.class ? Boolean.parseBoolean(property.getValue()) : property.getValue();
            descriptor.getWriteMethod().invoke(dataSource, value);
        }
        dataSource.setConnectTimeout(10);
        return dataSource;
    }

    private static void certificateAuthority(String name) throws Exception {
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=ap-intake test " + name,
                "-ext",
                "bc:c",
                "-ext",
                "ku:c=keyCertSign,cRLSign",
                "-validity",
                "2",
                "-keystore",
                store(name));
        keytool(
                "-exportcert",
                "-alias",
                "ca",
                "-rfc",
                "-keystore",
                store(name),
                "-file",
                work.resolve(name + ".crt").toString());
    }

    private static String store(String name) {
        return work.resolve(name + ".p12").toString();
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
                .as("keytool " + String.join(" ", arguments) + ": " + output)
                .isTrue();
    }

    /** PostgreSQL reads the key as PEM (PKCS#8), readable by its owner only. */
    private static void writePrivateKey(String keystore, String alias, Path target) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(keystore))) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey(alias, STORE_PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(target, pem, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    }
}
