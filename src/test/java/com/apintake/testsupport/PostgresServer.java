package com.apintake.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A PostgreSQL 15 server on loopback that ./run.sh and the integration tests start and stop
 * themselves: the system's PostgreSQL 15 binaries when present, else the zonky server binaries
 * unpacked from the test classpath. pg_stat_statements is preloaded. The data directory persists
 * when the caller keeps it. PostgreSQL refuses to run as root; as root every server command runs
 * under {@code unshare -U}, in a user namespace where the process is not root.
 */
public final class PostgresServer {

    private static final Logger LOG = Logger.getLogger(PostgresServer.class.getName());
    private static final String MAJOR = "15";

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final String user;
    private final String password;
    private Path walArchive;
    private final List<String> extraSettings = new ArrayList<>();

    public PostgresServer(Path dataDir, int port, String user, String password) {
        this.binDir = locateBinaries();
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port;
        this.user = user;
        this.password = password == null || password.isEmpty() ? null : password;
        this.walArchive = this.dataDir.resolveSibling("wal-archive");
    }

    /**
     * Where archive_command copies each finished WAL segment (point-in-time recovery replays them):
     * by default the folder wal-archive beside the data directory. Takes effect at the next start.
     */
    public PostgresServer walArchive(Path folder) {
        this.walArchive = folder.toAbsolutePath();
        return this;
    }

    public Path walArchive() {
        return walArchive;
    }

    private Path walScript;
    private Path walKey;

    /**
     * Archives WAL encrypted with OpenPGP through scripts/wal-gpg.sh (stock gpg, the passphrase in keyFile),
     * as docs/backups-restore.md tells operators to. Takes effect at the next start; {@link #stop()} then
     * also stops the gpg-agent the archiver started.
     */
    public PostgresServer encryptWal(Path script, Path keyFile) {
        this.walScript = script.toAbsolutePath();
        this.walKey = keyFile.toAbsolutePath();
        return this;
    }

    /**
     * {@link #encryptWal} with the backup key's text written to keyFile (0600, created new), the way an
     * operator provisions it on the database host; nothing when key is unset.
     */
    public PostgresServer encryptWalWith(String key, Path script, Path keyFile) throws IOException {
        if (key == null || key.isBlank()) {
            return this;
        }
        Files.createDirectories(keyFile.getParent());
        Files.deleteIfExists(keyFile);
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, key.trim() + "\n", StandardCharsets.US_ASCII);
        return encryptWal(script, keyFile);
    }

    /** The passphrase file archived WAL is encrypted with, when {@link #encryptWal} was called. */
    public Optional<Path> walKey() {
        return Optional.ofNullable(walKey);
    }

    /** More postgresql.conf lines (e.g. ssl = on), written at the next start. */
    public PostgresServer withSettings(String... lines) {
        extraSettings.addAll(List.of(lines));
        return this;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path binDir() {
        return binDir;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "ap-intake-tooling");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** initdb on first use, then start with the settings of {@link #writeSettings()}; waits until it accepts connections. */
    public void start() throws IOException, InterruptedException {
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            initdb();
        }
        Files.createDirectories(walArchive);
        writeSettings();
        Files.deleteIfExists(dataDir.resolve("postmaster.pid.stale"));
        run(
                List.of(
                        tool("pg_ctl"),
                        "-D",
                        dataDir.toString(),
                        "-l",
                        logFile().toString(),
                        "-w",
                        "-t",
                        "120",
                        "start"),
                Duration.ofMinutes(3));
        LOG.info(() ->
                "PostgreSQL " + MAJOR + " from " + binDir + " listening on 127.0.0.1:" + port + ", data in " + dataDir);
    }

    /** Fast shutdown: active transactions are rolled back, the server stops cleanly. */
    public void stop() throws IOException, InterruptedException {
        if (isRunning()) {
            run(
                    List.of(tool("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
                    Duration.ofMinutes(2));
        }
        if (walKey != null) {
            // The agent gpg started for archive_command outlives the archiver; nothing is left running.
            new ProcessBuilder(
                            "gpgconf",
                            "--homedir",
                            walKey.resolveSibling("gnupg").toString(),
                            "--kill",
                            "gpg-agent")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Immediate shutdown, as a crash looks to clients: connections drop, the next start runs crash
     * recovery. For tests of what the application answers while its database restarts.
     */
    public void stopImmediately() throws IOException, InterruptedException {
        run(
                List.of(tool("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop"),
                Duration.ofMinutes(2));
    }

    /**
     * A free loopback port below Linux's client-port range (32768-60999): a server restarted in a test
     * on a port in that range can find it taken by some client socket and stay down.
     */
    public static int freeServerPort() throws IOException {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20000, 32000);
            try (var socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("No free loopback port between 20000 and 32000");
    }

    public boolean isRunning() throws IOException, InterruptedException {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return false;
        }
        Process status = new ProcessBuilder(command(List.of(tool("pg_ctl"), "-D", dataDir.toString(), "status")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return status.waitFor(30, TimeUnit.SECONDS) && status.exitValue() == 0;
    }

    /**
     * A streaming replica of this (running) server: pg_basebackup -R -X stream into dataDir (standby.signal
     * and primary_conninfo written by -R) when dataDir holds no cluster yet, then started as a hot standby
     * on port. The base backup copies the primary's settings; the replica's own port is written at start.
     */
    public PostgresServer startReplica(Path replicaDataDir, int replicaPort) throws IOException, InterruptedException {
        PostgresServer replica =
                new PostgresServer(replicaDataDir, replicaPort, user, password == null ? "" : password);
        replica.walArchive(replicaDataDir.toAbsolutePath().resolveSibling("replica-wal-archive"));
        replica.withSettings("hot_standby = on", "hot_standby_feedback = on");
        if (!Files.exists(replica.dataDir.resolve("PG_VERSION"))) {
            Files.createDirectories(replica.dataDir.getParent());
            List<String> command = new ArrayList<>(List.of(
                    tool("pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port),
                    "-U",
                    user,
                    "-D",
                    replica.dataDir.toString(),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "--no-password"));
            replica.runWithPassword(command, password, Duration.ofMinutes(10));
        }
        replica.start();
        return replica;
    }

    public void createDatabaseIfMissing(String database) throws SQLException {
        try (Connection connection = connect("postgres");
                var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (var rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (var create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
            }
        }
    }

    public void dropDatabaseIfExists(String database) throws SQLException {
        try (Connection connection = connect("postgres");
                var drop = connection.createStatement()) {
            drop.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
    }

    public Path logFile() {
        return dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    private void initdb() throws IOException, InterruptedException {
        Files.createDirectories(dataDir.getParent());
        List<String> command = new ArrayList<>(List.of(
                tool("initdb"), "-D", dataDir.toString(), "-U", user, "-E", "UTF8", "--locale=C", "--no-instructions"));
        Path passwordFile = null;
        if (password != null) {
            passwordFile = Files.createTempFile(
                    dataDir.getParent(),
                    "pw",
                    ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passwordFile, password);
            command.addAll(List.of("-A", "scram-sha-256", "--pwfile", passwordFile.toString()));
        } else {
            // Without a password only loopback clients can connect, and the server listens on loopback only.
            command.addAll(List.of("-A", "trust"));
        }
        try {
            run(command, Duration.ofMinutes(3));
        } finally {
            if (passwordFile != null) {
                Files.deleteIfExists(passwordFile);
            }
        }
        Files.writeString(
                dataDir.resolve("postgresql.conf"),
                "\ninclude_if_exists = 'ap-intake.conf'\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Rewritten at every start, so a changed port or setting takes effect on the next run. */
    private void writeSettings() throws IOException {
        String settings = String.join(
                "\n",
                "# Written by ap-intake's PostgresServer at every start; edit postgresql.conf for your own settings.",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = ''",
                "shared_preload_libraries = 'pg_stat_statements'",
                "pg_stat_statements.track = all",
                "track_io_timing = on",
                "max_connections = 100",
                "# Memory for a database of a few GB on a machine with RAM to spare; the defaults (128 MB) are for a laptop.",
                "shared_buffers = 512MB",
                "effective_cache_size = 4GB",
                "work_mem = 16MB",
                "maintenance_work_mem = 256MB",
                "fsync = on",
                "log_min_duration_statement = 1000",
                "# WAL archiving for point-in-time recovery: copy, then rename, so a restore never reads half a segment.",
                "wal_level = replica",
                "archive_mode = on",
                "archive_command = '" + archiveCommand().replace("'", "''") + "'",
                String.join("\n", extraSettings),
                "");
        Files.writeString(dataDir.resolve("ap-intake.conf"), settings, StandardCharsets.UTF_8);
    }

    /** Never overwrites an archived segment (a second server archiving into the same folder then fails loudly). */
    private String archiveCommand() {
        if (walScript != null) {
            return "\"" + walScript + "\" archive \"%p\" \"%f\" \"" + walArchive + "\" \"" + walKey + "\"";
        }
        String folder = walArchive.toString().replace("\"", "\\\"");
        return "test ! -f \"" + folder + "/%f\" && cp %p \"" + folder + "/%f.tmp\" && mv \"" + folder + "/%f.tmp\" \""
                + folder + "/%f\"";
    }

    private String tool(String name) {
        return binDir.resolve(name).toString();
    }

    private static List<String> command(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-U"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        runWithPassword(command, null, timeout);
    }

    /** PGPASSWORD in the child's environment only, never on its command line. */
    private void runWithPassword(List<String> command, String pgPassword, Duration timeout)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("pg-command", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command(command))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            if (pgPassword != null) {
                builder.environment().put("PGPASSWORD", pgPassword);
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("Timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                String log = Files.exists(logFile()) ? tail(logFile()) : "";
                throw new IOException("Failed (exit " + process.exitValue() + "): " + String.join(" ", command) + "\n"
                        + Files.readString(output) + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /**
     * PG_BIN when set (the word "zonky" forces the bundled binaries); else Debian's PostgreSQL 15;
     * else pg_config's bindir when it is version 15; else the zonky binaries from the classpath.
     */
    static Path locateBinaries() {
        String configured = System.getenv("PG_BIN");
        if ("zonky".equals(configured)) {
            return unpackZonky();
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/lib/postgresql", MAJOR, "bin");
        if (isMajor(debian)) {
            return debian;
        }
        Optional<Path> fromPgConfig = pgConfigBindir().filter(PostgresServer::isMajor);
        return fromPgConfig.orElseGet(PostgresServer::unpackZonky);
    }

    private static boolean isMajor(Path bin) {
        Path postgres = bin.resolve("postgres");
        if (!Files.isExecutable(postgres) || !Files.isExecutable(bin.resolve("initdb"))) {
            return false;
        }
        try {
            Process version = new ProcessBuilder(postgres.toString(), "--version").start();
            String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            version.waitFor(10, TimeUnit.SECONDS);
            return text.matches("(?s).*\\) " + MAJOR + "\\..*");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<Path> pgConfigBindir() {
        try {
            Process config = new ProcessBuilder("pg_config", "--bindir").start();
            String text = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return config.waitFor(10, TimeUnit.SECONDS) && config.exitValue() == 0 && !text.isEmpty()
                    ? Optional.of(Path.of(text))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Path unpackZonky() {
        String resource = "postgres-linux-x86_64.txz";
        Path target = Path.of(System.getProperty("user.home"), ".cache", "ap-intake", "postgres-" + MAJOR + "-zonky");
        Path bin = target.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try (InputStream archive = PostgresServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (archive == null) {
                throw new IllegalStateException("No PostgreSQL " + MAJOR + " binaries: install the postgresql-" + MAJOR
                        + " package or set PG_BIN (the zonky binaries " + resource
                        + " are not on the classpath either)");
            }
            Path staging = Files.createTempDirectory(Files.createDirectories(target.getParent()), "unpack");
            try (var tar = new TarArchiveInputStream(new XZCompressorInputStream(archive))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = staging.resolve(entry.getName()).normalize();
                    if (!path.startsWith(staging)) {
                        throw new IOException("Archive entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0) {
                            path.toFile().setExecutable(true, false);
                        }
                    }
                }
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.info(() -> "Unpacked the zonky PostgreSQL " + MAJOR + " binaries into " + target);
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException("Unpacking the zonky PostgreSQL binaries failed", e);
        }
    }
}
