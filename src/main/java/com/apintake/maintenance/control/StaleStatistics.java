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
 * ANALYZE for the tables whose statistics have gone stale: at least apintake.maintenance.analyze-min-rows
 * rows changed since the last analyze and at least the stale_statistics threshold (registry
 * apintake.threshold.stale_statistics.warn, percent of the live rows; the same figure the
 * recommendations judge by). Each ANALYZE runs in its own transaction under a lock timeout, so it gives up rather than
 * queue behind (and in front of) intake, and under a statement timeout, so it cannot run away.
 * ANALYZE takes a SHARE UPDATE EXCLUSIVE lock, which lets inserts and updates go on.
 */
@ApplicationScoped
public class StaleStatistics {

    static final String CANDIDATES = """
            SELECT schemaname, relname, n_mod_since_analyze, n_live_tup
            FROM pg_stat_user_tables
            WHERE n_mod_since_analyze >= greatest(?, ? * n_live_tup)
            ORDER BY n_mod_since_analyze DESC""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.analyze-min-rows", defaultValue = "1000")
    long minRows;

    @Inject
    Thresholds thresholds;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.lock-timeout-ms", defaultValue = "5000")
    long lockTimeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.statement-timeout-seconds", defaultValue = "900")
    long statementTimeoutSeconds;

    /** One action per candidate table: done, or skipped with the reason (lock timeout, statement timeout). */
    public List<Action> analyze() {
        List<Action> actions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            List<String[]> candidates = new ArrayList<>();
            try (var statement = connection.prepareStatement(CANDIDATES)) {
                statement.setLong(1, minRows);
                statement.setDouble(2, thresholds.limit("stale_statistics").warn() / 100);
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(
                                new String[] {rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)
                                });
                    }
                }
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                for (String[] table : candidates) {
                    actions.add(analyze(connection, table));
                }
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            actions.add(new Action("analyze", "*", "failed", e.getMessage()));
        }
        return actions;
    }

    private Action analyze(Connection connection, String[] table) throws SQLException {
        String name = quote(table[0]) + "." + quote(table[1]);
        String why = table[2] + " rows changed since the last analyze, " + table[3] + " live";
        long start = System.nanoTime();
        try (var statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = " + lockTimeoutMillis);
            statement.execute("SET LOCAL statement_timeout = " + statementTimeoutSeconds * 1000);
            statement.execute("ANALYZE " + name);
            connection.commit();
            return new Action(
                    "analyze",
                    name,
                    "done",
                    String.format(Locale.ROOT, "%s; %.0f ms", why, (System.nanoTime() - start) / 1e6));
        } catch (SQLException e) {
            connection.rollback();
            String reason = switch (String.valueOf(e.getSQLState())) {
                case "55P03" -> "skipped: could not get its lock within " + lockTimeoutMillis + " ms";
                case "57014" -> "stopped: took longer than " + statementTimeoutSeconds + " s";
                default -> "failed: " + e.getMessage();
            };
            return new Action("analyze", name, reason.substring(0, reason.indexOf(':')), reason + " (" + why + ")");
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
