package com.apintake.maintenance.control;

import com.apintake.maintenance.entity.Action;
import com.apintake.platform.control.Thresholds;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The weekly "rebuild indexes" step, done the careful way: REINDEX INDEX CONCURRENTLY for each
 * B-tree whose estimated bloat (Liquibase view index_bloat) passes the registry's index_bloat
 * threshold — one index at a time, never a database-wide REINDEX — under a lock timeout and a
 * statement timeout, each recorded as an action of the run. Invalid indexes that no running build
 * owns (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY) are dropped
 * concurrently, their definition kept in the action so the changeSet can be fixed and re-run.
 */
@ApplicationScoped
public class IndexRebuilds {

    static final String BLOATED = """
            SELECT schema_name, index_name, index_bytes, bloat_percent
            FROM index_bloat
            WHERE valid AND index_bytes >= ? AND bloat_percent >= ?
            ORDER BY bloat_bytes DESC""";

    /** Invalid indexes no CREATE INDEX or REINDEX is building right now. */
    static final String INVALID = """
            SELECT n.nspname, c.relname, pg_get_indexdef(c.oid)
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT x.indisvalid
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                              WHERE p.index_relid = c.oid OR p.relid = x.indrelid)""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Thresholds thresholds;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.lock-timeout-ms", defaultValue = "5000")
    long lockTimeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.statement-timeout-seconds", defaultValue = "900")
    long statementTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.bloat-min-bytes", defaultValue = "1048576")
    long bloatMinBytes;

    public List<Action> rebuild() {
        List<Action> actions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            // CONCURRENTLY cannot run inside a transaction block: session settings, reset at the end.
            connection.setAutoCommit(true);
            try (var setup = connection.createStatement()) {
                setup.execute("SET lock_timeout = " + lockTimeoutMillis);
                setup.execute("SET statement_timeout = " + statementTimeoutSeconds * 1000);
            }
            try {
                for (String[] invalid : rows(connection, INVALID)) {
                    actions.add(run(
                            connection,
                            "drop-invalid-index",
                            quote(invalid[0]) + "." + quote(invalid[1]),
                            "DROP INDEX CONCURRENTLY IF EXISTS ",
                            "invalid, left by a failed concurrent build; its definition: " + invalid[2]));
                }
                List<String[]> bloated = new ArrayList<>();
                try (var statement = connection.prepareStatement(BLOATED)) {
                    statement.setLong(1, bloatMinBytes);
                    statement.setDouble(2, thresholds.limit("index_bloat").warn());
                    try (var rows = statement.executeQuery()) {
                        while (rows.next()) {
                            bloated.add(new String[] {
                                rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)
                            });
                        }
                    }
                }
                for (String[] index : bloated) {
                    String name = quote(index[0]) + "." + quote(index[1]);
                    Action action = run(
                            connection,
                            "reindex",
                            name,
                            "REINDEX INDEX CONCURRENTLY ",
                            String.format(
                                    Locale.ROOT,
                                    "estimated bloat %s %% of %d kB",
                                    index[3],
                                    Long.parseLong(index[2]) / 1024));
                    actions.add(action);
                    if (!action.outcome().equals("done")) {
                        // A REINDEX CONCURRENTLY that stopped half-way leaves its new copy behind, invalid.
                        dropLeftover(connection, index[0], index[1] + "_ccnew");
                    }
                }
            } finally {
                try (var reset = connection.createStatement()) {
                    reset.execute("RESET lock_timeout");
                    reset.execute("RESET statement_timeout");
                }
            }
        } catch (SQLException e) {
            actions.add(new Action("reindex", "*", "failed", e.getMessage()));
        }
        return actions;
    }

    private Action run(Connection connection, String kind, String target, String command, String why) {
        long start = System.nanoTime();
        try (var statement = connection.createStatement()) {
            statement.execute(command + target);
            return new Action(
                    kind,
                    target,
                    "done",
                    String.format(Locale.ROOT, "%s; %.0f ms", why, (System.nanoTime() - start) / 1e6));
        } catch (SQLException e) {
            String reason = switch (String.valueOf(e.getSQLState())) {
                case "55P03" -> "skipped: could not get its lock within " + lockTimeoutMillis + " ms";
                case "57014" -> "stopped: took longer than " + statementTimeoutSeconds + " s";
                default -> "failed: " + e.getMessage();
            };
            return new Action(kind, target, reason.substring(0, reason.indexOf(':')), reason + " (" + why + ")");
        }
    }

    private static void dropLeftover(Connection connection, String schema, String index) {
        try (var statement = connection.createStatement()) {
            statement.execute("DROP INDEX CONCURRENTLY IF EXISTS " + quote(schema) + "." + quote(index));
        } catch (SQLException ignored) {
            // reported as invalid by the space page and dropped by the next run
        }
    }

    private static List<String[]> rows(Connection connection, String sql) throws SQLException {
        List<String[]> found = new ArrayList<>();
        try (var statement = connection.prepareStatement(sql);
                var rows = statement.executeQuery()) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = rows.getString(i + 1);
                }
                found.add(row);
            }
        }
        return found;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
