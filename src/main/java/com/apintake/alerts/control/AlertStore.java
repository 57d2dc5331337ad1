package com.apintake.alerts.control;

import com.apintake.alerts.entity.Alert;
import com.apintake.alerts.entity.AlertChange;
import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.monitoring.entity.AlertFeed;
import com.apintake.platform.control.ReadSource;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Keeps the alerts: one open alert per condition (a partial unique index guards it), escalation
 * from warning to critical, resolution when the condition clears, and the history of each. Every
 * change is committed first and only then handed to the sinks, so nothing is announced that is not
 * stored; when the database cannot be reached the event fails and the evaluator's next round
 * retries it. Observes {@link AlertRaised} and {@link AlertCleared} from anywhere in ap-intake.
 */
@ApplicationScoped
public class AlertStore implements AlertFeed {

    static final String FIND_OPEN =
            "SELECT id, severity, opened_at FROM alerts WHERE condition = ? AND resolved_at IS NULL FOR UPDATE";
    static final String OPEN = """
            INSERT INTO alerts (condition, severity, summary, value, threshold, source, opened_at, last_seen_at)
            VALUES (?, ?, ?, ?, ?, ?, now(), now())
            RETURNING id, opened_at""";
    static final String ESCALATE = """
            UPDATE alerts SET severity = ?, summary = ?, value = ?, threshold = ?, last_seen_at = now(), escalated_at = now()
            WHERE id = ?""";
    static final String SEEN = "UPDATE alerts SET summary = ?, value = ?, last_seen_at = now() WHERE id = ?";
    static final String RESOLVE = """
            UPDATE alerts SET resolved_at = now()
            WHERE condition = ? AND resolved_at IS NULL
            RETURNING id, severity, summary, value, threshold, source, opened_at, resolved_at""";
    static final String EVENT =
            "INSERT INTO alert_events (alert_id, event, severity, summary, value) VALUES (?, ?, ?, ?, ?) RETURNING at";
    static final String LIST = """
            SELECT id, condition, severity, summary, value, threshold, source, opened_at, last_seen_at, escalated_at, resolved_at
            FROM alerts
            WHERE resolved_at IS NULL OR opened_at >= ?
            ORDER BY resolved_at IS NULL DESC, opened_at DESC, id DESC
            LIMIT ?""";
    static final String HISTORY =
            "SELECT alert_id, event, severity, summary, value, at FROM alert_events WHERE alert_id = ANY (?) ORDER BY at, id";
    static final String COUNT_OPEN = "SELECT count(*) FROM alerts WHERE resolved_at IS NULL";
    static final String PURGE = "DELETE FROM alerts WHERE resolved_at < ?";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    AlertNotifier notifier;

    @Inject
    ReadSource reads;

    private volatile int openCount;

    /** Opens, refreshes or escalates the condition's alert. Serialised so two raisers of one condition cannot both open it. */
    public synchronized void raised(@Observes AlertRaised raised) {
        AlertChange change;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                change = raise(connection, raised);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Storing alert " + raised.condition() + " failed", e);
        }
        if (change != null) {
            notifier.notify(change);
        }
    }

    public synchronized void cleared(@Observes AlertCleared cleared) {
        AlertChange change = null;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (var statement = connection.prepareStatement(RESOLVE)) {
                    statement.setString(1, cleared.condition());
                    try (var rows = statement.executeQuery()) {
                        if (rows.next()) {
                            long id = rows.getLong(1);
                            String severity = rows.getString(2);
                            String summary = rows.getString(3);
                            Double value = nullableDouble(rows, 4);
                            Instant at = event(connection, id, "resolved", severity, summary, value);
                            change = new AlertChange(
                                    id,
                                    cleared.condition(),
                                    "resolved",
                                    severity,
                                    summary,
                                    value,
                                    nullableDouble(rows, 5),
                                    rows.getString(6),
                                    rows.getTimestamp(7).toInstant(),
                                    at);
                        }
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Resolving alert " + cleared.condition() + " failed", e);
        }
        if (change != null) {
            notifier.notify(change);
        }
    }

    private AlertChange raise(Connection connection, AlertRaised raised) throws SQLException {
        try (var find = connection.prepareStatement(FIND_OPEN)) {
            find.setString(1, raised.condition());
            try (var rows = find.executeQuery()) {
                if (rows.next()) {
                    long id = rows.getLong(1);
                    Severity current = Severity.of(rows.getString(2));
                    Instant openedAt = rows.getTimestamp(3).toInstant();
                    if (raised.severity().compareTo(current) > 0) {
                        try (var escalate = connection.prepareStatement(ESCALATE)) {
                            escalate.setString(1, raised.severity().label());
                            escalate.setString(2, raised.summary());
                            setDouble(escalate, 3, raised.value());
                            setDouble(escalate, 4, raised.threshold());
                            escalate.setLong(5, id);
                            escalate.executeUpdate();
                        }
                        Instant at = event(
                                connection,
                                id,
                                "escalated",
                                raised.severity().label(),
                                raised.summary(),
                                raised.value());
                        return change(id, "escalated", raised, openedAt, at);
                    }
                    try (var seen = connection.prepareStatement(SEEN)) {
                        seen.setString(1, raised.summary());
                        setDouble(seen, 2, raised.value());
                        seen.setLong(3, id);
                        seen.executeUpdate();
                    }
                    return null;
                }
            }
        }
        try (var open = connection.prepareStatement(OPEN)) {
            open.setString(1, raised.condition());
            open.setString(2, raised.severity().label());
            open.setString(3, raised.summary());
            setDouble(open, 4, raised.value());
            setDouble(open, 5, raised.threshold());
            open.setString(6, raised.source());
            try (var rows = open.executeQuery()) {
                rows.next();
                long id = rows.getLong(1);
                Instant openedAt = rows.getTimestamp(2).toInstant();
                event(connection, id, "opened", raised.severity().label(), raised.summary(), raised.value());
                return change(id, "opened", raised, openedAt, openedAt);
            }
        }
    }

    /**
     * Open alerts first, then the ones opened within the last `recentSince`, newest first, with their history.
     * A read-only list page: it reads the replica when one is in sync and has replayed the caller's own last
     * write, in a read-only transaction of its own; this method joins no JTA transaction. Alerts are written by
     * the evaluation (once per cluster), so the page may be behind by at most the replica's lag threshold.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Alert> list(Instant recentSince, int limit) {
        try {
            return reads.read(connection -> list(connection, recentSince, limit));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the alerts failed", e);
        }
    }

    private static List<Alert> list(Connection connection, Instant recentSince, int limit) throws SQLException {
        Map<Long, Alert> alerts = new LinkedHashMap<>();
        try (var statement = connection.prepareStatement(LIST)) {
            statement.setTimestamp(1, Timestamp.from(recentSince));
            statement.setInt(2, limit);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    Timestamp resolved = rows.getTimestamp(11);
                    Timestamp escalated = rows.getTimestamp(10);
                    alerts.put(
                            rows.getLong(1),
                            new Alert(
                                    rows.getLong(1),
                                    rows.getString(2),
                                    rows.getString(3),
                                    resolved == null ? "open" : "resolved",
                                    rows.getString(4),
                                    nullableDouble(rows, 5),
                                    nullableDouble(rows, 6),
                                    rows.getString(7),
                                    rows.getTimestamp(8).toInstant(),
                                    rows.getTimestamp(9).toInstant(),
                                    escalated == null ? null : escalated.toInstant(),
                                    resolved == null ? null : resolved.toInstant(),
                                    new ArrayList<>()));
                }
            }
        }
        if (!alerts.isEmpty()) {
            try (var statement = connection.prepareStatement(HISTORY)) {
                statement.setArray(
                        1, connection.createArrayOf("bigint", alerts.keySet().toArray()));
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        alerts.get(rows.getLong(1))
                                .history()
                                .add(new Alert.Event(
                                        rows.getString(2),
                                        rows.getString(3),
                                        rows.getString(4),
                                        nullableDouble(rows, 5),
                                        rows.getTimestamp(6).toInstant()));
                    }
                }
            }
        }
        return List.copyOf(alerts.values());
    }

    /** Counts the open alerts now and remembers the number for the gauge. */
    public int countOpen() {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(COUNT_OPEN);
                var rows = statement.executeQuery()) {
            rows.next();
            openCount = rows.getInt(1);
            return openCount;
        } catch (SQLException e) {
            throw new IllegalStateException("Counting open alerts failed", e);
        }
    }

    /** The dashboard's view of the alerts (monitoring's AlertFeed): on the primary, like the rest of the dashboard. */
    @Override
    public List<Alert> recent(Instant recentSince, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            return list(connection, recentSince, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the alerts failed", e);
        }
    }

    /** The number of open alerts at the last count, without touching the database (for the gauge). */
    public int lastOpenCount() {
        return openCount;
    }

    /** Removes alerts (and their history) resolved before the given time. Open alerts are kept however old. */
    public int purge(Instant resolvedBefore) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(PURGE)) {
            statement.setTimestamp(1, Timestamp.from(resolvedBefore));
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Purging alerts failed", e);
        }
    }

    private static Instant event(
            Connection connection, long id, String event, String severity, String summary, Double value)
            throws SQLException {
        try (var statement = connection.prepareStatement(EVENT)) {
            statement.setLong(1, id);
            statement.setString(2, event);
            statement.setString(3, severity);
            statement.setString(4, summary);
            setDouble(statement, 5, value);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getTimestamp(1).toInstant();
            }
        }
    }

    private static AlertChange change(long id, String event, AlertRaised raised, Instant openedAt, Instant at) {
        return new AlertChange(
                id,
                raised.condition(),
                event,
                raised.severity().label(),
                raised.summary(),
                raised.value(),
                raised.threshold(),
                raised.source(),
                openedAt,
                at);
    }

    private static void setDouble(PreparedStatement statement, int index, Double value) throws SQLException {
        if (value == null || value.isNaN() || value.isInfinite()) {
            statement.setNull(index, Types.DOUBLE);
        } else {
            statement.setDouble(index, value);
        }
    }

    private static Double nullableDouble(ResultSet rows, int index) throws SQLException {
        double value = rows.getDouble(index);
        return rows.wasNull() ? null : value;
    }
}
