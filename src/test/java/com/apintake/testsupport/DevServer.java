package com.apintake.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What ./run.sh runs: the embedded PostgreSQL 15 with a persistent data directory, then the WAR on
 * Payara Micro with the dev configuration. Ctrl-C or SIGTERM stops Payara, then PostgreSQL.
 * Settings (environment): HTTP_PORT (8080), DB_PORT (5433), DATA_DIR (.data), DB_NAME (ap_intake),
 * DB_USER (postgres), DB_PASSWORD (none: trust on loopback). The Payara process inherits this
 * process's environment, so ADMIN_USER and ADMIN_PASSWORD reach the application.
 */
public final class DevServer {

    private DevServer() {}

    public static void main(String[] args) throws Exception {
        Path basedir = Path.of("").toAbsolutePath();
        int httpPort = Integer.parseInt(setting("HTTP_PORT", "8080"));
        int dbPort = Integer.parseInt(setting("DB_PORT", "5433"));
        Path dataDir = Path.of(setting("DATA_DIR", basedir.resolve(".data").toString()))
                .toAbsolutePath();
        String dbName = setting("DB_NAME", "ap_intake");
        String dbUser = setting("DB_USER", "postgres");
        String dbPassword = System.getenv("DB_PASSWORD");

        PostgresServer postgres = new PostgresServer(dataDir.resolve("postgres"), dbPort, dbUser, dbPassword);
        if (postgres.isRunning()) {
            System.out.println(
                    "A PostgreSQL left running on " + postgres.dataDir() + " by an earlier run: restarting it.");
            postgres.stop();
        }
        // With a backup key, WAL is archived encrypted like in production (docs/backups-restore.md).
        postgres.encryptWalWith(
                System.getenv("BACKUP_ENCRYPTION_KEY"),
                basedir.resolve("scripts/wal-gpg.sh"),
                dataDir.resolve("wal-key/backup.key"));
        postgres.start();
        postgres.createDatabaseIfMissing(dbName);

        PayaraMicroLaunch launch = new PayaraMicroLaunch(
                basedir, basedir.resolve("target/runtime"), dataDir.resolve("payara"), "dev", httpPort);
        List<String> command = launch.command(
                basedir.resolve("target/ap-intake.war"),
                Map.of(
                        "apintake.inbox.dir",
                                setting(
                                        "APINTAKE_INBOX_DIR",
                                        dataDir.resolve("inbox").toString()),
                        "apintake.export.dir",
                                setting(
                                        "APINTAKE_EXPORT_DIR",
                                        dataDir.resolve("exports").toString()),
                        "apintake.backup.dir",
                                setting(
                                        "APINTAKE_BACKUP_DIR",
                                        dataDir.resolve("backups").toString()),
                        "apintake.backup.wal-archive-dir", postgres.walArchive().toString(),
                        // Encrypted when a key is given; without one dev backups are plain rather than refused.
                        "apintake.backup.encrypt",
                                setting(
                                        "APINTAKE_BACKUP_ENCRYPT",
                                        Boolean.toString(System.getenv("BACKUP_ENCRYPTION_KEY") != null))),
                Map.of(
                        "DB_HOST",
                        "127.0.0.1",
                        "DB_PORT",
                        Integer.toString(dbPort),
                        "DB_NAME",
                        dbName,
                        "DB_USER",
                        dbUser));
        Process payara = new ProcessBuilder(command).inheritIO().start();

        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            PayaraMicroLaunch.stop(payara);
                            try {
                                postgres.stop();
                                System.out.println("ap-intake stopped; data kept in " + dataDir);
                            } catch (Exception e) {
                                System.err.println("Stopping PostgreSQL failed: " + e);
                            }
                        },
                        "ap-intake-shutdown"));

        String root = "http://127.0.0.1:" + httpPort;
        if (launch.awaitReady(payara, Duration.ofMinutes(5))) {
            System.out.println();
            System.out.println("ap-intake is ready (dev):");
            System.out.println("  Console    " + root + "/  (sign in as a user, see Users below)");
            System.out.println("  OpenAPI    " + root + "/openapi  (browsable in the console: API)");
            System.out.println("  API        " + root + "/api/v1/");
            System.out.println("  Pool       " + root + "/api/v1/database/connections");
            System.out.println("  Health     " + root + "/health/ready  (also /health/live, /health/started)");
            System.out.println("  Metrics    " + root + "/metrics");
            System.out.println("  Database   psql -h 127.0.0.1 -p " + dbPort + " -U " + dbUser + " " + dbName);
            System.out.println("  Inbox      " + dataDir.resolve("inbox") + "  (drop invoice files here)");
            System.out.println("  Exports    " + dataDir.resolve("exports"));
            System.out.println("  Data       " + dataDir);
            System.out.println("  Users      "
                    + (System.getenv("ADMIN_USER") == null
                            ? "set ADMIN_USER and ADMIN_PASSWORD before the first start to create the first user (README, Security)"
                            : "curl -u \"$ADMIN_USER\" " + root
                                    + "/api/v1/invoices  (ADMIN_USER and ADMIN_PASSWORD are passed to the server)"));
            System.out.println("Press Ctrl-C to stop.");
        } else if (payara.isAlive()) {
            System.out.println(
                    "ap-intake did not become ready within 5 minutes; see the log above (" + root + "/health/ready).");
        }
        int exit = payara.waitFor();
        System.exit(exit == 143 || exit == 130 ? 0 : exit);
    }

    private static String setting(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
