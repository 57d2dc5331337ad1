package com.apintake.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What ./run.sh runs: the embedded PostgreSQL 15 with a persistent data directory, then the WAR on
 * Payara Micro with the dev configuration. Ctrl-C or SIGTERM stops Payara, then PostgreSQL.
 * Settings (environment): HTTP_PORT (8080), DB_PORT (5433), DATA_DIR (.data), DB_NAME (ap_intake),
 * DB_USER (postgres), DB_PASSWORD (none: trust on loopback), REPLICA (0; 1 adds a streaming replica on
 * DB_PORT+1 for the read pool). The Payara process inherits this
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

        // REPLICA=1: a streaming replica (hot standby) on DB_PORT+1 that the read pool uses (docs/cluster.md).
        boolean withReplica = "1".equals(setting("REPLICA", "0")) || "true".equalsIgnoreCase(setting("REPLICA", ""));
        int replicaPort = dbPort + 1;
        PostgresServer replica = null;
        if (withReplica) {
            PostgresServer leftOver = new PostgresServer(dataDir.resolve("replica"), replicaPort, dbUser, dbPassword);
            if (leftOver.isRunning()) {
                leftOver.stop();
            }
            replica = postgres.startReplica(dataDir.resolve("replica"), replicaPort);
        }
        PostgresServer startedReplica = replica;

        // INSTANCES=n (default 1): n Payara Micro instances in one cluster on HTTP_PORT, HTTP_PORT+1, ...
        // with Hazelcast on HZ_PORT (HTTP_PORT+10000), HZ_PORT+1, ... (docs/cluster.md).
        int instances = Integer.parseInt(setting("INSTANCES", "1"));
        int hazelcastPort = Integer.parseInt(setting("HZ_PORT", Integer.toString(httpPort + 10_000)));
        List<Integer> hazelcastPorts = java.util.stream.IntStream.range(0, instances)
                .mapToObj(i -> hazelcastPort + i)
                .toList();
        List<PayaraMicroLaunch> launches = new java.util.ArrayList<>();
        List<Process> processes = new java.util.ArrayList<>();
        for (int i = 0; i < instances; i++) {
            String name = "ap-intake-" + (i + 1);
            PayaraMicroLaunch launch = new PayaraMicroLaunch(
                    basedir,
                    basedir.resolve("target/runtime"),
                    dataDir.resolve(i == 0 ? "payara" : "payara-" + (i + 1)),
                    "dev",
                    httpPort + i);
            var applicationSettings = new java.util.HashMap<String, String>(Map.of(
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
                                    Boolean.toString(System.getenv("BACKUP_ENCRYPTION_KEY") != null))));
            if (instances > 1) {
                applicationSettings.put("apintake.instance.name", name);
            }
            List<String> command = launch.command(
                    basedir.resolve("target/ap-intake.war"),
                    applicationSettings,
                    serverSettings(dbPort, dbName, dbUser, withReplica ? replicaPort : dbPort));
            if (instances > 1) {
                command = PayaraCluster.member(
                        command,
                        basedir,
                        launch.workDir(),
                        "ap-intake-dev-" + httpPort,
                        name,
                        hazelcastPorts.get(i),
                        hazelcastPorts);
            }
            launches.add(launch);
            processes.add(new ProcessBuilder(command).inheritIO().start());
        }
        Process payara = processes.get(0);
        PayaraMicroLaunch launch = launches.get(0);

        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            processes.forEach(PayaraMicroLaunch::stop);
                            try {
                                if (startedReplica != null) {
                                    startedReplica.stop();
                                }
                                postgres.stop();
                                System.out.println("ap-intake stopped; data kept in " + dataDir);
                            } catch (Exception e) {
                                System.err.println("Stopping PostgreSQL failed: " + e);
                            }
                        },
                        "ap-intake-shutdown"));

        String root = "http://127.0.0.1:" + httpPort;
        boolean ready = true;
        for (int i = 0; i < instances; i++) {
            ready &= launches.get(i).awaitReady(processes.get(i), Duration.ofMinutes(5));
        }
        if (ready) {
            System.out.println();
            System.out.println("ap-intake is ready (dev):");
            System.out.println("  Console    " + root + "/  (sign in as a user, see Users below)");
            System.out.println("  OpenAPI    " + root + "/openapi  (browsable in the console: API)");
            System.out.println("  API        " + root + "/api/v1/");
            for (int i = 1; i < instances; i++) {
                System.out.println(
                        "  Instance " + (i + 1) + " http://127.0.0.1:" + (httpPort + i) + "/api/v1/  (same cluster)");
            }
            System.out.println("  Pool       " + root + "/api/v1/database/connections");
            System.out.println("  Health     " + root + "/health/ready  (also /health/live, /health/started)");
            System.out.println("  Metrics    " + root + "/metrics");
            System.out.println("  Database   psql -h 127.0.0.1 -p " + dbPort + " -U " + dbUser + " " + dbName);
            if (withReplica) {
                System.out.println("  Replica    psql -h 127.0.0.1 -p " + replicaPort + " -U " + dbUser + " " + dbName
                        + "  (hot standby; analytics and the invoice list read from it)");
            }
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

    private static Map<String, String> serverSettings(int dbPort, String dbName, String dbUser, int readPort) {
        return Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                Integer.toString(dbPort),
                "DB_NAME",
                dbName,
                "DB_USER",
                dbUser,
                "DB_READ_HOST",
                "127.0.0.1",
                "DB_READ_PORT",
                Integer.toString(readPort));
    }

    private static String setting(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
