package com.apintake.platform.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Applies the Liquibase changelog (liquibase/ in the project, on the classpath at the same path)
 * when the application starts. If the database cannot be reached, it retries on a timer instead of
 * failing the deployment, and readiness stays DOWN until the schema is in place.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class Migrations {

    public static final String CHANGELOG = "liquibase/db.changelog-master.xml";
    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

    public enum State {
        PENDING,
        RUNNING,
        DONE,
        FAILED
    }

    /** Fired once, when the changelog has been applied: work that needs the schema (the first user) starts then. */
    public record Applied() {}

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Resource
    TimerService timers;

    @Inject
    Event<Applied> applied;

    @Inject
    @ConfigProperty(name = "apintake.migration.retry-seconds", defaultValue = "10")
    int retrySeconds;

    private volatile State state = State.PENDING;
    private volatile String lastError;
    private volatile Instant finishedAt;

    @PostConstruct
    void atStartup() {
        migrate();
    }

    @Timeout
    void retry() {
        migrate();
    }

    public State state() {
        return state;
    }

    public boolean done() {
        return state == State.DONE;
    }

    /** Why the last attempt failed, in one line; null when none failed. */
    public String lastError() {
        return lastError;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    private synchronized void migrate() {
        if (state == State.DONE) {
            return;
        }
        state = State.RUNNING;
        Instant start = Instant.now();
        try (Connection connection = dataSource.getConnection()) {
            update(connection);
            warnWithoutPgStatStatements(connection);
            finishedAt = Instant.now();
            lastError = null;
            state = State.DONE;
            LOG.info(() -> "Database schema is up to date ("
                    + Duration.between(start, finishedAt).toMillis() + " ms)");
        } catch (Exception e) {
            state = State.FAILED;
            lastError = rootMessage(e);
            LOG.log(
                    Level.SEVERE,
                    "Applying the database changelog failed; retrying in " + retrySeconds + " s: " + lastError,
                    e);
            timers.createSingleActionTimer(Duration.ofSeconds(retrySeconds).toMillis(), new TimerConfig(null, false));
            return;
        }
        try {
            applied.fire(new Applied());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "A start-up step after the schema update failed", e);
        }
    }

    private static void update(Connection connection) throws Exception {
        Database database =
                DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()),
                "liquibase.analytics.enabled",
                false);
        Scope.child(
                scope,
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                        .execute());
    }

    /** Slow-query monitoring needs the extension; its changeset is skipped when the server lacks the library. */
    private static void warnWithoutPgStatStatements(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
            rows.next();
            if (rows.getInt(1) == 0) {
                LOG.warning(
                        "pg_stat_statements is not installed: the server does not preload it. Add"
                                + " shared_preload_libraries = 'pg_stat_statements' to postgresql.conf and restart PostgreSQL;"
                                + " the extension is created at the next start of ap-intake. Slow-query monitoring stays empty until then.");
            }
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
