package com.apintake.testsupport;

import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the test run's PostgreSQL before the first integration test and stops Payara Micro and
 * then PostgreSQL after the last one, once per `mvn verify`. Active only in the failsafe run
 * (system property apintake.it), so unit tests start nothing.
 */
public class TestEnvironment implements LauncherSessionListener {

    public static final String DATABASE = "ap_intake_test";
    public static final String USER = "postgres";
    /** The first API user, created by the application from ADMIN_USER/ADMIN_PASSWORD with all three roles. */
    public static final String ADMIN_USER = "it-admin";
    /** Fresh for every run, so no password is written down anywhere. */
    private static final String ADMIN_PASSWORD =
            java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));

    private static final Logger LOG = Logger.getLogger(TestEnvironment.class.getName());

    private static PostgresServer postgres;
    private static PayaraMicroLaunch payara;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!Boolean.getBoolean("apintake.it") || postgres != null) {
            return;
        }
        try {
            Path basedir = Path.of(System.getProperty("apintake.basedir"));
            Path work = basedir.resolve("target/it");
            PayaraMicroLaunch.deleteRecursively(work);
            postgres = new PostgresServer(work.resolve("postgres/data"), PayaraMicroLaunch.freePort(), USER, null);
            postgres.start();
            postgres.createDatabaseIfMissing(DATABASE);

            payara = new PayaraMicroLaunch(
                    basedir,
                    Path.of(System.getProperty("apintake.runtime")),
                    work,
                    "test",
                    PayaraMicroLaunch.freePort());
            var microOptions =
                    payara.microOptions(Map.of("DB_PORT", Integer.toString(postgres.port()), "DB_NAME", DATABASE));
            // Read by the Payara Micro Arquillian container when it launches the server.
            System.setProperty(
                    "payara.cmdOptions",
                    joinEscaped(payara.jvmOptions(Map.of(
                            "apintake.inbox.dir",
                            inbox().toString(),
                            "apintake.inbox.interval-seconds",
                            "1",
                            "apintake.inbox.settle-seconds",
                            "0",
                            "apintake.export.dir",
                            exports().toString(),
                            "apintake.export.interval-seconds",
                            "0",
                            // The server reads these as it would read the environment variables of production.
                            "ADMIN_USER",
                            ADMIN_USER,
                            "ADMIN_PASSWORD",
                            ADMIN_PASSWORD))));
            System.setProperty("payara.extraMicroOptions", joinEscaped(microOptions));
        } catch (Exception e) {
            throw new IllegalStateException("Could not prepare the integration-test environment", e);
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (postgres == null) {
            return;
        }
        SharedPayaraMicro.stopServer();
        try {
            postgres.stop();
        } catch (Exception e) {
            LOG.warning("Stopping the test PostgreSQL failed: " + e);
        }
    }

    public static String adminPassword() {
        return ADMIN_PASSWORD;
    }

    /** The inbox folder the test server scans every second. */
    public static Path inbox() {
        return Path.of(System.getProperty("apintake.basedir"), "target/it/inbox");
    }

    /** Where the test server writes export batches (the export timer is off in tests: POST /exports/run). */
    public static Path exports() {
        return Path.of(System.getProperty("apintake.basedir"), "target/it/exports");
    }

    public static PostgresServer postgres() {
        if (postgres == null) {
            throw new IllegalStateException("The integration-test environment is not running (run with mvn verify)");
        }
        return postgres;
    }

    public static java.sql.Connection connect() throws java.sql.SQLException {
        return postgres().connect(DATABASE);
    }

    /** The Arquillian container splits its options on unescaped spaces. */
    private static String joinEscaped(java.util.List<String> options) {
        return options.stream().map(o -> o.replace(" ", "\\ ")).collect(Collectors.joining(" "));
    }
}
