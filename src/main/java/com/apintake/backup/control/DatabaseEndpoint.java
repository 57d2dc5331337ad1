package com.apintake.backup.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the application's database is, as the running pool reaches it, for the client tools and
 * for connections that must outlive the pool's leak timeout (a dump holds its snapshot for as long
 * as it runs). The password only travels in PGPASSWORD of a child's environment, never on a command
 * line, in a log or in a response; {@link #toString()} leaves it out.
 */
public final class DatabaseEndpoint {

    private static final Pattern URL = Pattern.compile("^jdbc:postgresql://\\[?([^/?\\],:]+)\\]?(?::(\\d+))?[^/?]*/");
    private static final Pattern PARAMETER = Pattern.compile("[?&](sslmode|sslrootcert)=([^&]*)");
    static final String APPLICATION_NAME = "ap-intake-backup";

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> ssl;

    public DatabaseEndpoint(
            String host, int port, String database, String user, String password, Map<String, String> ssl) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password == null || password.isEmpty() ? null : password;
        this.ssl = Map.copyOf(ssl);
    }

    /**
     * Reads host and TLS settings from a pooled connection's URL, and port, database and user from the
     * server itself; the password from DB_PASSWORD, as the pool does (${ENV=DB_PASSWORD}).
     */
    public static DatabaseEndpoint ofPool(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT current_database(), current_user, coalesce(inet_server_port(), 5432)")) {
            rows.next();
            String url = connection.getMetaData().getURL();
            Matcher matcher = URL.matcher(url == null ? "" : url);
            boolean found = matcher.find();
            String host = found ? matcher.group(1) : "localhost";
            int port = found && matcher.group(2) != null ? Integer.parseInt(matcher.group(2)) : rows.getInt(3);
            Map<String, String> ssl = new LinkedHashMap<>();
            Matcher parameter = PARAMETER.matcher(url == null ? "" : url);
            while (parameter.find()) {
                ssl.put(
                        parameter.group(1),
                        java.net.URLDecoder.decode(parameter.group(2), java.nio.charset.StandardCharsets.UTF_8));
            }
            return new DatabaseEndpoint(
                    host, port, rows.getString(1), rows.getString(2), System.getenv("DB_PASSWORD"), ssl);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public DatabaseEndpoint withDatabase(String other) {
        return new DatabaseEndpoint(host, port, other, user, password, ssl);
    }

    /** libpq's environment for a child process: the tools then need no connection arguments at all. */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", host);
        environment.put("PGPORT", Integer.toString(port));
        environment.put("PGDATABASE", database);
        environment.put("PGUSER", user);
        environment.put("PGAPPNAME", APPLICATION_NAME);
        environment.put("PGCONNECT_TIMEOUT", "30");
        if (ssl.containsKey("sslmode")) {
            environment.put("PGSSLMODE", ssl.get("sslmode"));
        }
        if (ssl.containsKey("sslrootcert")) {
            environment.put("PGSSLROOTCERT", ssl.get("sslrootcert"));
        }
        if (password != null) {
            environment.put("PGPASSWORD", password);
        }
        return environment;
    }

    /** A connection outside the pool, in UTC so row texts (and so checksums) do not depend on the server's zone. */
    public Connection connect() throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {host});
        source.setPortNumbers(new int[] {port});
        source.setDatabaseName(database);
        source.setUser(user);
        if (password != null) {
            source.setPassword(password);
        }
        source.setApplicationName(APPLICATION_NAME);
        source.setConnectTimeout(30);
        if (ssl.containsKey("sslmode")) {
            source.setSslMode(ssl.get("sslmode"));
        }
        if (ssl.containsKey("sslrootcert")) {
            source.setSslRootCert(ssl.get("sslrootcert"));
        }
        Connection connection = source.getConnection();
        try (var statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
        }
        return connection;
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
