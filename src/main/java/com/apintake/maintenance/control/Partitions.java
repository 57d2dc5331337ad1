package com.apintake.maintenance.control;

import com.apintake.backup.control.PartitionArchive;
import com.apintake.maintenance.entity.Action;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The monthly partitions of validations, invoice_extractions and audit_log (Liquibase 160-163), kept by
 * the daily maintenance run: the partitions of the current month and apintake.partitions.months-ahead
 * months ahead are created where missing, so new rows never land in a DEFAULT partition; and a table
 * with a retention (apintake.partitions.retention-months.&lt;table&gt;, 0 = keep everything, the default
 * for all three) loses each month partition that ended more than that many whole months before the
 * current UTC month: DETACH PARTITION, an optional pg_dump of the detached table
 * (apintake.partitions.backup-before-drop, encrypted like every backup), DROP TABLE. A failed dump
 * keeps the detached table for the next run. DETACH ... CONCURRENTLY is not possible while the table
 * has a DEFAULT partition, so the plain DETACH runs under the maintenance lock timeout: it gives up
 * rather than queue intake behind it. Every step is one action of the run.
 */
@ApplicationScoped
public class Partitions {

    public static final List<String> TABLES = List.of("validations", "invoice_extractions", "audit_log");

    /** The month partitions of a table and the detached leftovers of an earlier run whose dump failed. */
    static final String MONTHS = """
            SELECT c.relname, i.inhparent IS NOT NULL
            FROM pg_class c
            LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND c.relname ~ ('^' || ? || '_p[0-9]{4}_[0-9]{2}$')
              AND (i.inhparent IS NULL OR i.inhparent = ?::regclass)
            ORDER BY c.relname""";

    private static final Pattern MONTH = Pattern.compile("_p(\\d{4})_(\\d{2})$");

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Config config;

    @Inject
    PartitionArchive archive;

    @Inject
    @ConfigProperty(name = "apintake.partitions.months-ahead", defaultValue = "3")
    int monthsAhead;

    @Inject
    @ConfigProperty(name = "apintake.partitions.backup-before-drop", defaultValue = "false")
    boolean backupBeforeDrop;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.lock-timeout-ms", defaultValue = "5000")
    long lockTimeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.statement-timeout-seconds", defaultValue = "900")
    long statementTimeoutSeconds;

    public List<Action> maintain() {
        List<Action> actions = new ArrayList<>();
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        for (String table : TABLES) {
            actions.add(createAhead(table, current));
            int retention = retentionMonths(table);
            if (retention > 0) {
                actions.addAll(dropExpired(table, current.minusMonths(retention)));
            }
        }
        return actions;
    }

    /** apintake.partitions.retention-months.&lt;table&gt;: whole months kept before the current one; 0 keeps all. */
    int retentionMonths(String table) {
        int months = config.getOptionalValue("apintake.partitions.retention-months." + table, Integer.class)
                .orElse(0);
        if (months < 0) {
            throw new IllegalArgumentException("apintake.partitions.retention-months." + table + " must be >= 0");
        }
        return months;
    }

    /** A partition of month m is expired when m is before the first month kept. */
    static boolean expired(String partition, YearMonth firstKept) {
        Matcher month = MONTH.matcher(partition);
        return month.find()
                && YearMonth.of(Integer.parseInt(month.group(1)), Integer.parseInt(month.group(2)))
                        .isBefore(firstKept);
    }

    private Action createAhead(String table, YearMonth current) {
        LocalDate from = current.atDay(1);
        LocalDate to = current.plusMonths(Math.max(0, monthsAhead)).atDay(1);
        String target = table + " " + current + " .. " + current.plusMonths(Math.max(0, monthsAhead));
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                timeouts(connection);
                List<String> created = new ArrayList<>();
                try (var statement = connection.prepareStatement(
                        "SELECT create_month_partitions(?::regclass, (?::date)::timestamp AT TIME ZONE 'UTC',"
                                + " (?::date)::timestamp AT TIME ZONE 'UTC')")) {
                    statement.setString(1, table);
                    statement.setString(2, from.toString());
                    statement.setString(3, to.toString());
                    try (var rows = statement.executeQuery()) {
                        while (rows.next()) {
                            created.add(rows.getString(1));
                        }
                    }
                }
                connection.commit();
                return new Action(
                        "create-partitions",
                        target,
                        "done",
                        (created.isEmpty() ? "none missing" : "created " + String.join(", ", created)) + "; "
                                + millis(start));
            } catch (SQLException e) {
                connection.rollback();
                return failure("create-partitions", target, e);
            }
        } catch (SQLException e) {
            return failure("create-partitions", target, e);
        }
    }

    private List<Action> dropExpired(String table, YearMonth firstKept) {
        List<Action> actions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            List<String[]> partitions = new ArrayList<>();
            try (var statement = connection.prepareStatement(MONTHS)) {
                statement.setString(1, table);
                statement.setString(2, table);
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        partitions.add(new String[] {rows.getString(1), String.valueOf(rows.getBoolean(2))});
                    }
                }
            }
            connection.setAutoCommit(false);
            for (String[] partition : partitions) {
                if (expired(partition[0], firstKept)) {
                    actions.add(drop(connection, table, partition[0], Boolean.parseBoolean(partition[1]), firstKept));
                }
            }
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            actions.add(failure("drop-partition", table, e));
        }
        return actions;
    }

    private Action drop(Connection connection, String table, String partition, boolean attached, YearMonth firstKept)
            throws SQLException {
        long start = System.nanoTime();
        String why = "older than " + firstKept + " (retention " + retentionMonths(table) + " months)";
        try {
            if (attached) {
                try (var statement = connection.createStatement()) {
                    timeouts(connection);
                    statement.execute("ALTER TABLE " + table + " DETACH PARTITION " + partition);
                }
                connection.commit();
            }
            String archived = "";
            if (backupBeforeDrop) {
                try {
                    archived = "; archived to " + archive.archive(partition);
                } catch (Exception e) {
                    return new Action(
                            "drop-partition",
                            partition,
                            "failed",
                            "detached but kept: its dump failed (" + e.getMessage() + "); " + why);
                }
            }
            try (var statement = connection.createStatement()) {
                timeouts(connection);
                statement.execute("DROP TABLE " + partition);
            }
            connection.commit();
            return new Action(
                    "drop-partition",
                    partition,
                    "done",
                    "detached and dropped, " + why + archived + "; " + millis(start));
        } catch (SQLException e) {
            connection.rollback();
            return failure("drop-partition", partition, e);
        }
    }

    private void timeouts(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = " + lockTimeoutMillis);
            statement.execute("SET LOCAL statement_timeout = " + statementTimeoutSeconds * 1000);
        }
    }

    private Action failure(String kind, String target, SQLException e) {
        String reason = switch (String.valueOf(e.getSQLState())) {
            case "55P03" -> "skipped: could not get its lock within " + lockTimeoutMillis + " ms";
            case "57014" -> "skipped: took longer than " + statementTimeoutSeconds + " s";
            default -> "failed: " + e.getMessage();
        };
        return new Action(kind, target, reason.substring(0, reason.indexOf(':')), reason);
    }

    private static String millis(long start) {
        return String.format(Locale.ROOT, "%.0f ms", (System.nanoTime() - start) / 1e6);
    }
}
