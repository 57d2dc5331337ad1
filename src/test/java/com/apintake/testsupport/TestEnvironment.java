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

    /** apintake.admission.max-concurrent of the test server: the test pool's maximum (test.asadmin). */
    public static final int ADMISSION_LIMIT = 8;

    /** apintake.pool.database-cores of the test server: the cores the pool-size rule assumes. */
    public static final int DATABASE_CORES = 2;
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
            Folders.deleteRecursively(work);
            postgres = new PostgresServer(work.resolve("postgres/data"), PostgresServer.freeServerPort(), USER, null)
                    .walArchive(work.resolve("wal-archive"));
            // Archived WAL encrypted with the test backup key, as in production (docs/backups-restore.md).
            postgres.encryptWalWith(
                    System.getenv("BACKUP_ENCRYPTION_KEY"),
                    basedir.resolve("scripts/wal-gpg.sh"),
                    work.resolve("wal-key/backup.key"));
            postgres.start();
            postgres.createDatabaseIfMissing(DATABASE);

            payara = new PayaraMicroLaunch(
                    basedir,
                    Path.of(System.getProperty("apintake.runtime")),
                    work,
                    "test",
                    PayaraMicroLaunch.freePort());
            // The read pool points at a port where ReadReplicaIT starts a streaming replica of this server;
            // until then (and in every other test) reads fall back to the primary.
            replicaPort = lowFreePort();
            // Leak timeout 300 s instead of the test file's 30: on a loaded machine (load 30 on 2 cores) the
            // first Liquibase update of a fresh schema held its connection longer than 30 s, the pool reclaimed
            // it mid-migration, and every retry met the same fate, so no test could run.
            var microOptions = payara.microOptions(Map.of(
                    "DB_PORT",
                    Integer.toString(postgres.port()),
                    "DB_NAME",
                    DATABASE,
                    "DATABASE_POOL_LEAK_TIMEOUT",
                    "300",
                    "DB_READ_PORT",
                    Integer.toString(replicaPort)));
            // Read by the Payara Micro Arquillian container when it launches the server.
            var settings = new java.util.HashMap<>(Map.of(
                    "apintake.inbox.dir", inbox().toString(),
                    "apintake.inbox.interval-seconds", "1",
                    "apintake.inbox.settle-seconds", "0",
                    "apintake.export.dir", exports().toString(),
                    "apintake.export.interval-seconds", "0"));
            settings.putAll(monitoringSettings());
            settings.putAll(Map.of("apintake.replica.check-seconds", "1", "apintake.replica.max-lag-seconds", "3"));
            // Backups: timers off (tests start them), encrypted with the key failsafe puts in the environment.
            settings.putAll(Map.of(
                    "apintake.backup.dir", backups().toString(),
                    "apintake.backup.wal-archive-dir", postgres.walArchive().toString(),
                    "apintake.backup.schedule", "off",
                    "apintake.backup.base.schedule", "off",
                    "apintake.backup.drill.schedule", "off",
                    "apintake.backup.wal-guard.seconds", "0"));
            // Maintenance: timers off (tests run it), a short lock timeout so a held lock shows quickly.
            settings.putAll(Map.of(
                    "apintake.maintenance.weekly", "off",
                    "apintake.maintenance.daily", "off",
                    "apintake.maintenance.lock-timeout-ms", "1000"));
            // Partitions: a retention far beyond the generated two-year histories, so only PartitionsIT's
            // month of three-plus years ago expires; dumped to the backup area before it is dropped.
            settings.putAll(Map.of(
                    "apintake.partitions.retention-months.validations", "36",
                    "apintake.partitions.backup-before-drop", "true"));
            // Analytics days in a zone other than UTC, so the rollup tests see days that differ from UTC days.
            settings.put("apintake.analytics.time-zone", "Europe/Berlin");
            // Admission as many requests as the test pool has connections; the wait for a slot equals the
            // pool's max wait (test.asadmin), so no test that waited for a connection before is refused now.
            settings.put("apintake.admission.max-concurrent", Integer.toString(ADMISSION_LIMIT));
            settings.put("apintake.admission.max-wait-ms", "5000");
            // The pool-size rule on a test's time scale, and for 2 database cores whatever the machine, so
            // PoolSizeRecommendationIT knows the rule's numbers (2 x 2 + waiting sessions).
            settings.putAll(Map.of(
                    "apintake.pool.sample-ms", "500",
                    "apintake.pool.observation-seconds", "10",
                    "apintake.pool.database-cores", Integer.toString(DATABASE_CORES),
                    // A shared test machine's CPU is often busy with other work: counted as saturated never, so
                    // the estimate follows the pool's own numbers (PoolSizeRecommendationIT).
                    "apintake.pool.cpu-saturation", "1.01"));
            // The server reads these as it would read the environment variables of production.
            settings.putAll(Map.of("ADMIN_USER", ADMIN_USER, "ADMIN_PASSWORD", ADMIN_PASSWORD));
            System.setProperty("payara.cmdOptions", joinEscaped(payara.jvmOptions(settings)));
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

    private static int replicaPort;

    /** Where ReadReplicaIT starts the replica that the test server's read pool (jdbc/apintake-read) points at. */
    public static int replicaPort() {
        return replicaPort;
    }

    /**
     * A free loopback port below 32768: a server started on it later must not find it taken by a client
     * socket, which Linux hands out from 32768 up (PLATFORM-NOTES).
     */
    private static int lowFreePort() throws java.io.IOException {
        var random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            try (var socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new java.io.IOException("No free loopback port between 20000 and 32000");
    }

    private static int jmxPort;
    private static int webhookPort;

    /**
     * Monitoring and alerts on a test's time scale: the monitoring loop measures every 2 s, snapshots every 3 s, a
     * 10 s recent window, webhooks to a loopback port a test can listen on, and a JMX connector on
     * loopback (no authentication, tests only) through which tests change the pool at runtime the way
     * an operator would with asadmin.
     */
    private static Map<String, String> monitoringSettings() throws java.io.IOException {
        jmxPort = PayaraMicroLaunch.freePort();
        webhookPort = PayaraMicroLaunch.freePort();
        return Map.ofEntries(
                Map.entry("apintake.monitoring.measure-seconds", "2"),
                Map.entry("apintake.monitoring.snapshot-seconds", "3"),
                Map.entry("apintake.monitoring.window-seconds", "10"),
                Map.entry("apintake.threshold.idle_in_transaction.warn", "2"),
                Map.entry("apintake.alerts.webhook-url", "http://127.0.0.1:" + webhookPort + "/alerts"),
                Map.entry("apintake.alerts.webhook-attempts", "2"),
                Map.entry("apintake.alerts.webhook-backoff-ms", "200"),
                Map.entry("java.rmi.server.hostname", "127.0.0.1"),
                Map.entry("com.sun.management.jmxremote.host", "127.0.0.1"),
                Map.entry("com.sun.management.jmxremote.port", Integer.toString(jmxPort)),
                Map.entry("com.sun.management.jmxremote.rmi.port", Integer.toString(jmxPort)),
                Map.entry("com.sun.management.jmxremote.authenticate", "false"),
                Map.entry("com.sun.management.jmxremote.ssl", "false"));
    }

    /** The loopback JMX port of the test server (see monitoringSettings). */
    public static int jmxPort() {
        return jmxPort;
    }

    /** The loopback port the test server posts alert webhooks to. */
    public static int webhookPort() {
        return webhookPort;
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

    /** The test server's backup area (apintake.backup.dir). */
    public static Path backups() {
        return Path.of(System.getProperty("apintake.basedir"), "target/it/backups");
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
