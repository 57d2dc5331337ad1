package com.apintake.maintenance.control;

import com.apintake.alerts.control.AlertStore;
import com.apintake.analytics.control.Rollups;
import com.apintake.maintenance.entity.Action;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.Trends;
import com.apintake.platform.control.JsonBinding;
import com.apintake.platform.control.ReadSource;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The scheduled maintenance, recorded run by run in maintenance_runs.
 * <ul>
 *   <li>weekly: ANALYZE of the tables with stale statistics, REINDEX INDEX CONCURRENTLY of bloated
 *       indexes and removal of invalid ones (IndexRebuilds), then the weekly performance report
 *       (index usage, top statements, table growth, recommendations, health trend);
 *   <li>daily: the slow statements of the last day into a daily report, and the retention purge of
 *       monitoring snapshots (apintake.monitoring.retention-days) and resolved alerts
 *       (apintake.alerts.retention-days), and the monthly partitions of validations, invoice_extractions
 *       and audit_log created ahead and dropped past their retention (Partitions), then the analytics
 *       rollup days whose facts are gone (Rollups.forgetDropped).
 * </ul>
 * A step that fails is recorded and the run goes on (outcome PARTIAL); a run never stops intake.
 */
@ApplicationScoped
public class MaintenanceRuns {

    private static final Logger LOG = Logger.getLogger(MaintenanceRuns.class.getName());
    private static final Type ACTIONS = new ArrayList<Action>() {}.getClass().getGenericSuperclass();

    public record Run(
            long id,
            String kind,
            String trigger,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String outcome,
            List<Action> actions,
            String error,
            Long reportId) {}

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    ReadSource reads;

    @Inject
    StaleStatistics staleStatistics;

    @Inject
    IndexRebuilds indexRebuilds;

    @Inject
    PerformanceReports reports;

    @Inject
    Trends trends;

    @Inject
    SlowQueries slowQueries;

    @Inject
    AlertStore alerts;

    @Inject
    Partitions partitions;

    @Inject
    Rollups rollups;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.retention-days", defaultValue = "30")
    int snapshotRetentionDays;

    @Inject
    @ConfigProperty(name = "apintake.alerts.retention-days", defaultValue = "90")
    int alertRetentionDays;

    public Run weekly(String trigger) {
        long id = start("weekly", trigger);
        List<Action> actions = new ArrayList<>(staleStatistics.analyze());
        actions.addAll(indexRebuilds.rebuild());
        Long report = step(
                actions,
                "report",
                "weekly performance report",
                () -> reports.create("weekly", Duration.ofDays(7), List.copyOf(actions)));
        return finish(id, actions, report);
    }

    public Run daily(String trigger) {
        long id = start("daily", trigger);
        List<Action> actions = new ArrayList<>();
        Instant now = Instant.now();
        step(actions, "purge", "monitoring snapshots older than " + snapshotRetentionDays + " days", () -> {
            Instant before = now.minus(Duration.ofDays(snapshotRetentionDays));
            return (long) trends.purge(before) + slowQueries.purge(before);
        });
        step(actions, "purge", "alerts resolved more than " + alertRetentionDays + " days ago", () ->
                (long) alerts.purge(now.minus(Duration.ofDays(alertRetentionDays))));
        actions.addAll(partitions.maintain());
        // After the partitions: the rollups of days whose facts were just dropped go too (Rollups.forgetDropped).
        step(
                actions,
                "purge",
                "analytics rollup days before the first kept fact",
                () -> rollups.forgetDropped().rows());
        Long report = step(
                actions,
                "report",
                "daily slow-query report",
                () -> reports.create("daily", Duration.ofDays(1), List.copyOf(actions)));
        return finish(id, actions, report);
    }

    /**
     * A read-only list page: it reads the replica when one is in sync and has replayed the caller's own last
     * write (a run just started), in a read-only transaction of its own; this method joins no JTA transaction.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Run> list(int limit) {
        try {
            return reads.read(connection -> runs(connection, "ORDER BY started_at DESC, id DESC LIMIT ?", limit));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading maintenance runs failed", e);
        }
    }

    private Run find(long id) {
        try (Connection connection = dataSource.getConnection()) {
            return runs(connection, "WHERE id = ?", id).stream().findFirst().orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading maintenance runs failed", e);
        }
    }

    private static List<Run> runs(Connection connection, String condition, long parameter) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT id, kind, trigger, started_at, finished_at, outcome, actions::text, error, report_id"
                        + " FROM maintenance_runs " + condition)) {
            statement.setLong(1, parameter);
            try (var rows = statement.executeQuery()) {
                List<Run> runs = new ArrayList<>();
                while (rows.next()) {
                    runs.add(new Run(
                            rows.getLong(1),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getObject(4, OffsetDateTime.class),
                            rows.getObject(5, OffsetDateTime.class),
                            rows.getString(6),
                            JsonBinding.fromJson(rows.getString(7), ACTIONS),
                            rows.getString(8),
                            rows.getObject(9, Long.class)));
                }
                return runs;
            }
        }
    }

    interface Step {
        Long run() throws Exception;
    }

    /** Runs one step; records it as an action whatever happens. Returns its result, null when it failed. */
    private static Long step(List<Action> actions, String kind, String target, Step step) {
        long start = System.nanoTime();
        try {
            Long result = step.run();
            actions.add(new Action(
                    kind,
                    target,
                    "done",
                    (kind.equals("purge") ? result + " rows removed; " : "report " + result + "; ")
                            + Math.round((System.nanoTime() - start) / 1e6) + " ms"));
            return result;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Maintenance step " + kind + " (" + target + ") failed", e);
            actions.add(new Action(kind, target, "failed", String.valueOf(e.getMessage())));
            return null;
        }
    }

    private long start(String kind, String trigger) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(
                        "INSERT INTO maintenance_runs (kind, trigger) VALUES (?, ?) RETURNING id")) {
            statement.setString(1, kind);
            statement.setString(2, trigger);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the start of a maintenance run failed", e);
        }
    }

    private Run finish(long id, List<Action> actions, Long reportId) {
        boolean failed = actions.stream().anyMatch(a -> a.outcome().equals("failed"));
        boolean skipped = actions.stream().anyMatch(a -> !a.outcome().equals("done"));
        String outcome = failed && actions.stream().noneMatch(a -> a.outcome().equals("done"))
                ? "FAILED"
                : skipped ? "PARTIAL" : "SUCCEEDED";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement("""
                        UPDATE maintenance_runs SET finished_at = now(), outcome = ?, actions = ?::jsonb, report_id = ?, error = ?
                        WHERE id = ?""")) {
            statement.setString(1, outcome);
            statement.setString(2, JsonBinding.toJson(actions));
            statement.setObject(3, reportId);
            statement.setString(4, failed ? "see the failed actions" : null);
            statement.setLong(5, id);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Recording the end of maintenance run " + id + " failed", e);
        }
        LOG.info(() -> "Maintenance run " + id + ": " + outcome + ", " + actions.size() + " actions");
        return find(id);
    }
}
