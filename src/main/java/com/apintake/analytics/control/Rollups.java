package com.apintake.analytics.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Keeps the daily analytics rollups exact without triggers. {@link #drain} first finds the days whose
 * facts changed since the stored watermark from the rows' own timestamps (invoices.updated_at,
 * exceptions created_at/resolved_at, staged_exports created_at/exported_at, validations and
 * invoice_extractions created_at), re-scanning a safety margin behind the watermark for transactions
 * that committed after the previous scan although their timestamps are older; it marks those days in
 * analytics_dirty_days and moves the watermark to the start of its own transaction. Then it deletes the
 * oldest marks and recomputes those days from the facts, in the same transaction. A transaction that
 * commits more than the margin after its timestamps were taken is missed (until a rebuild); deletions
 * of facts are not detected (the application deletes none).
 *
 * <p>Days are calendar days in the configured time zone; the confidence rollup counts extractions
 * below the configured threshold. Both are stored in analytics_settings (the triggers read the zone
 * from there); when the configuration differs, {@link #configure} rebuilds every rollup.
 */
@ApplicationScoped
public class Rollups {

    public record Status(
            String timeZone, double minConfidence, long pendingMarks, long pendingDays, Double oldestMarkSeconds) {}

    /** What one drain did: the topic-days recomputed and how many marks are left. */
    public record Drained(int days, long pendingMarks) {}

    static final List<String> TABLES = List.of(
            "analytics_confidence_daily",
            "analytics_exceptions_daily",
            "analytics_vendors_daily",
            "analytics_vendors_monthly",
            "analytics_validations_daily",
            "analytics_exports_daily");

    /** One drain at a time across all instances (two would insert the same rollup keys). */
    static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('apintake.analytics.rollups'))";

    static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('apintake.analytics.rollups'))";

    /**
     * A fact row not yet seen by the last scan: its xmin (widened to a 64-bit xid against the current
     * snapshot's xmax: the row is recent, so within 2^31 of it) is not visible in the stored
     * analytics_settings.scan_snapshot, or none is stored. The scan window (:since) stays the watermark
     * minus the margin; this filter only drops the rows the previous scan already marked, so a drain
     * marks only new changes and the check before an answer finds nothing when nothing was committed.
     * Assumes facts are not written inside savepoints (a subtransaction's xid is not in a snapshot's
     * list; the application sets none).
     */
    static String unseen(String alias) {
        String xid = alias + ".xmin::text::bigint";
        String current = "pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
        return ("NOT coalesce(pg_visible_in_snapshot(greatest(0, ((%2$s >> 32) << 32) + %1$s"
                        + " - CASE WHEN %1$s > (%2$s & 4294967295) THEN 4294967296 ELSE 0 END)::text::xid8, :seen), false)")
                .formatted(xid, current);
    }

    /**
     * Every topic-day whose facts carry a timestamp at or after :since (the watermark minus the
     * margin) and were not seen by the last scan. Each branch is a range scan of an index on that
     * timestamp (plus the row's xmin from the heap). An invoice move changes the vendor figures of its
     * extraction day; a new exception changes whether its invoice has one.
     */
    static final List<String> CHANGED = List.of(
            "SELECT 'confidence', (f.created_at AT TIME ZONE :tz)::date FROM invoice_extractions f"
                    + " WHERE f.created_at >= :since AND " + unseen("f"),
            "SELECT 'vendors', (f.created_at AT TIME ZONE :tz)::date FROM invoice_extractions f"
                    + " WHERE f.created_at >= :since AND " + unseen("f"),
            "SELECT 'vendors', (x.created_at AT TIME ZONE :tz)::date"
                    + " FROM invoices i JOIN invoice_extractions x ON x.invoice_id = i.id"
                    + " WHERE i.updated_at >= :since AND " + unseen("i"),
            "SELECT 'vendors', (x.created_at AT TIME ZONE :tz)::date"
                    + " FROM exceptions e JOIN invoice_extractions x ON x.invoice_id = e.invoice_id"
                    + " WHERE e.resolved IN (false, true) AND e.created_at >= :since AND " + unseen("e"),
            "SELECT 'exceptions', (e.created_at AT TIME ZONE :tz)::date FROM exceptions e"
                    + " WHERE e.resolved IN (false, true) AND e.created_at >= :since AND " + unseen("e"),
            "SELECT 'exceptions', (v.d AT TIME ZONE :tz)::date"
                    + " FROM exceptions e CROSS JOIN LATERAL (VALUES (e.created_at), (e.resolved_at)) v(d)"
                    + " WHERE e.resolved AND e.resolved_at >= :since AND " + unseen("e"),
            "SELECT 'validations', (f.created_at AT TIME ZONE :tz)::date FROM validations f"
                    + " WHERE f.passed IN (false, true) AND f.created_at >= :since AND " + unseen("f"),
            "SELECT 'exports', (f.created_at AT TIME ZONE :tz)::date FROM staged_exports f"
                    + " WHERE f.status IN ('PENDING', 'EXPORTED', 'FAILED') AND f.created_at >= :since AND "
                    + unseen("f"),
            "SELECT 'exports', (f.created_at AT TIME ZONE :tz)::date FROM staged_exports f"
                    + " WHERE f.exported_at >= :since AND " + unseen("f"));

    /** Marks the changed topic-days (see {@link #CHANGED}). */
    static final String FIND_CHANGED =
            "INSERT INTO analytics_dirty_days (topic, day)\n" + String.join("\nUNION\n", CHANGED);

    /**
     * Whether an answer must drain first: a marked day is pending, or a fact was committed since the
     * last scan (in its window). Read-only, no lock: when nothing changed an answer costs this one
     * statement more, and concurrent answers do not queue on the drain lock.
     */
    static final String ANYTHING_NEW = "SELECT EXISTS (SELECT 1 FROM analytics_dirty_days)"
            + CHANGED.stream().map(branch -> "\n OR EXISTS (" + branch + ")").collect(Collectors.joining());

    /** The oldest marked topic-days, up to the batch size, with all their marks. */
    static final String TAKE_MARKS = """
            WITH chosen AS (
                SELECT topic, day FROM analytics_dirty_days GROUP BY topic, day ORDER BY min(id) LIMIT ?)
            DELETE FROM analytics_dirty_days d USING chosen c
            WHERE d.topic = c.topic AND d.day = c.day
            RETURNING d.topic, d.day""";

    /** Local-day bounds: d.day at 00:00 in the zone up to the next day's 00:00 (23 or 25 hours across DST). */
    private static final String DAY_START = "(d.day::timestamp AT TIME ZONE ?)";

    private static final String DAY_END = "((d.day + 1)::timestamp AT TIME ZONE ?)";

    /** Served by idx_extractions_created_overall, index-only. */
    static final String CONFIDENCE = """
            INSERT INTO analytics_confidence_daily (day, extractions, confidence_sum, below_threshold)
            SELECT d.day, x.extractions, x.confidence_sum, x.below_threshold
            FROM unnest(CAST(? AS date[])) d(day)
            CROSS JOIN LATERAL (
                SELECT count(*) AS extractions, sum(overall_confidence) AS confidence_sum,
                       count(*) FILTER (WHERE overall_confidence < ?) AS below_threshold
                FROM invoice_extractions
                WHERE created_at >= %1$s AND created_at < %2$s) x
            WHERE x.extractions > 0""".formatted(DAY_START, DAY_END);

    /**
     * Raised on the day (with the median hours to resolve of those) via idx_exceptions_resolved_created,
     * resolved on the day via idx_exceptions_resolved_at.
     */
    static final String EXCEPTIONS = """
            INSERT INTO analytics_exceptions_daily (day, type, raised, resolved, median_hours)
            SELECT d.day, e.type, sum(e.raised), sum(e.resolved), max(e.median_hours)
            FROM unnest(CAST(? AS date[])) d(day)
            CROSS JOIN LATERAL (
                SELECT type, count(*) AS raised, 0 AS resolved,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) / 3600
                           AS median_hours
                FROM exceptions
                WHERE resolved IN (false, true) AND created_at >= %1$s AND created_at < %2$s
                GROUP BY type
                UNION ALL
                SELECT type, 0, count(*), NULL
                FROM exceptions
                WHERE resolved AND resolved_at >= %1$s AND resolved_at < %2$s
                GROUP BY type) e
            GROUP BY d.day, e.type""".formatted(DAY_START, DAY_END);

    /**
     * Per vendor and day of extraction: invoices, those with any exception, the confidence sum, and
     * those that reached approval without an exception. Extractions by idx_extractions_created_overall,
     * invoices by key, exceptions by idx_exceptions_invoice.
     */
    static final String VENDORS = """
            INSERT INTO analytics_vendors_daily (day, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT d.day, p.vendor_id, count(*), count(*) FILTER (WHERE p.has_exception), sum(p.confidence),
                   count(*) FILTER (WHERE NOT p.has_exception AND p.reached_approval)
            FROM unnest(CAST(? AS date[])) d(day)
            CROSS JOIN LATERAL (
                SELECT i.vendor_id, x.overall_confidence AS confidence,
                       EXISTS (SELECT 1 FROM exceptions e WHERE e.invoice_id = i.id) AS has_exception,
                       i.workflow_status IN ('PENDING_APPROVAL', 'APPROVED', 'STAGED', 'EXPORTED') AS reached_approval
                FROM invoice_extractions x
                JOIN invoices i ON i.id = x.invoice_id
                WHERE i.vendor_id IS NOT NULL AND x.created_at >= %1$s AND x.created_at < %2$s) p
            GROUP BY d.day, p.vendor_id""".formatted(DAY_START, DAY_END);

    /** Whole months of the vendor rollup, summed from its days (primary key range per month). */
    static final String VENDORS_MONTHLY = """
            INSERT INTO analytics_vendors_monthly (month, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT m.month, v.vendor_id, sum(v.invoices), sum(v.with_exception), sum(v.confidence_sum), sum(v.auto_approved)
            FROM unnest(CAST(? AS date[])) m(month)
            JOIN analytics_vendors_daily v ON v.day >= m.month AND v.day < (m.month + interval '1 month')::date
            GROUP BY m.month, v.vendor_id""";

    /** Served by idx_validations_passed_created (both values of passed, then the day's range). */
    static final String VALIDATIONS = """
            INSERT INTO analytics_validations_daily (day, rule_code, checks, passed)
            SELECT d.day, v.rule_code, count(*), count(*) FILTER (WHERE v.passed)
            FROM unnest(CAST(? AS date[])) d(day)
            CROSS JOIN LATERAL (
                SELECT rule_code, passed FROM validations
                WHERE passed IN (false, true) AND created_at >= %1$s AND created_at < %2$s) v
            GROUP BY d.day, v.rule_code""".formatted(DAY_START, DAY_END);

    /** Served by idx_staged_exports_status_created, index-only. */
    static final String EXPORTS = """
            INSERT INTO analytics_exports_daily (day, status, count)
            SELECT d.day, s.status, count(*)
            FROM unnest(CAST(? AS date[])) d(day)
            CROSS JOIN LATERAL (
                SELECT status FROM staged_exports
                WHERE status IN ('PENDING', 'EXPORTED', 'FAILED') AND created_at >= %1$s AND created_at < %2$s) s
            GROUP BY d.day, s.status""".formatted(DAY_START, DAY_END);

    /** Every day from the oldest to the newest fact, once per question (a rebuild). */
    static final String MARK_ALL = """
            INSERT INTO analytics_dirty_days (topic, day)
            SELECT t.topic, d::date
            FROM (VALUES ('confidence'), ('exceptions'), ('vendors'), ('validations'), ('exports')) t(topic)
            CROSS JOIN (SELECT min(first) AS first, max(last) AS last
                        FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM invoice_extractions
                              UNION ALL SELECT min(created_at), max(coalesce(resolved_at, created_at)) FROM exceptions
                              UNION ALL SELECT min(created_at), max(created_at) FROM validations
                              UNION ALL SELECT min(created_at), max(created_at) FROM staged_exports) s) span
            CROSS JOIN LATERAL generate_series((span.first AT TIME ZONE ?)::date, (span.last AT TIME ZONE ?)::date,
                                               interval '1 day') d
            WHERE span.first IS NOT NULL""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    /**
     * Makes the stored zone and threshold the configured ones; if either changed, empties the rollups
     * and marks every day for recomputation (the next drains rebuild them). Returns whether it rebuilt.
     */
    public boolean configure(ZoneId zone, double minConfidence) {
        return inTransaction(connection -> {
            execute(connection, LOCK);
            String storedZone;
            double storedMin;
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery(
                            "SELECT time_zone, min_confidence FROM analytics_settings FOR UPDATE")) {
                rows.next();
                storedZone = rows.getString(1);
                storedMin = rows.getDouble(2);
            }
            if (storedZone.equals(zone.getId()) && storedMin == minConfidence) {
                return false;
            }
            try (var update = connection.prepareStatement(
                    "UPDATE analytics_settings SET time_zone = ?, min_confidence = ?, changed_at = now()")) {
                update.setString(1, zone.getId());
                update.setDouble(2, minConfidence);
                update.executeUpdate();
            }
            execute(connection, "TRUNCATE analytics_dirty_days, " + String.join(", ", TABLES));
            execute(connection, "UPDATE analytics_settings SET watermark = now()");
            try (var mark = connection.prepareStatement(MARK_ALL)) {
                mark.setString(1, zone.getId());
                mark.setString(2, zone.getId());
                mark.executeUpdate();
            }
            return true;
        });
    }

    /**
     * Marks every day of the period for every question: for facts whose timestamps do not show the
     * change (rows loaded with past timestamps, deletions). Returns the topic-days marked.
     */
    public int mark(Period period) {
        return inTransaction(connection -> {
            try (var mark = connection.prepareStatement("""
                    INSERT INTO analytics_dirty_days (topic, day)
                    SELECT t.topic, d::date
                    FROM (VALUES ('confidence'), ('exceptions'), ('vendors'), ('validations'), ('exports')) t(topic)
                    CROSS JOIN generate_series(CAST(? AS date), CAST(? AS date) - 1, interval '1 day') d""")) {
                mark.setObject(1, period.from());
                mark.setObject(2, period.to());
                return mark.executeUpdate();
            }
        });
    }

    /**
     * Recomputes up to batchDays of the oldest marked topic-days. With wait, it queues behind a drain
     * already running (so every mark committed before the call is handled once it returns, given
     * enough calls); without, it returns at once when another drain holds the lock.
     */
    public Drained drain(int batchDays, boolean wait, Duration margin) {
        return inTransaction(connection -> {
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery(wait ? LOCK : TRY_LOCK)) {
                rows.next();
                if (!wait && !rows.getBoolean(1)) {
                    return new Drained(0, -1);
                }
            }
            // Per-day statements over a batch of days are costed far above jit_above_cost: compiling them took
            // longer than running them (validations, 100 days at 1 M: 7.6-10.9 s with JIT, 0.7-0.9 s without,
            // docs/confidence-aggregation.md). SET LOCAL ends with this transaction.
            try (var statement = connection.createStatement()) {
                statement.execute("SET LOCAL jit = off");
            }
            String zone;
            double minConfidence;
            OffsetDateTime watermark;
            String seen;
            String scanning;
            // The snapshot is taken before the change-finding statement's own: whatever it shows, that
            // statement sees too (and marks, if in the window), so the next scan may skip it.
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery(
                            "SELECT time_zone, min_confidence, watermark, scan_snapshot::text, pg_current_snapshot()::text"
                                    + " FROM analytics_settings FOR UPDATE")) {
                rows.next();
                zone = rows.getString(1);
                minConfidence = rows.getDouble(2);
                watermark = rows.getObject(3, OffsetDateTime.class);
                seen = rows.getString(4);
                scanning = rows.getString(5);
            }
            if (margin != null) {
                findChanged(connection, watermark.minus(margin), zone, seen, scanning);
            }
            Map<String, Set<LocalDate>> days = new TreeMap<>();
            try (var take = connection.prepareStatement(TAKE_MARKS)) {
                take.setInt(1, batchDays);
                try (var rows = take.executeQuery()) {
                    while (rows.next()) {
                        days.computeIfAbsent(rows.getString(1), t -> new TreeSet<>())
                                .add(rows.getObject(2, LocalDate.class));
                    }
                }
            }
            int recomputed = 0;
            for (var topic : days.entrySet()) {
                recompute(connection, topic.getKey(), topic.getValue(), zone, minConfidence);
                recomputed += topic.getValue().size();
            }
            return new Drained(recomputed, pendingMarks(connection));
        });
    }

    /**
     * Looks for changes (unless margin is null) and drains until nothing is marked or maxRounds batches
     * ran: the topic-days recomputed and the marks left, counted under the drain lock.
     */
    public Drained drainAll(int batchDays, int maxRounds, Duration margin) {
        int total = 0;
        long pending = -1;
        for (int round = 0; round < maxRounds; round++) {
            // Changes are looked for once per run: each look re-marks the margin behind the watermark.
            Drained drained = drain(batchDays, true, round == 0 ? margin : null);
            total += drained.days();
            pending = drained.pendingMarks();
            if (pending == 0) {
                break;
            }
        }
        return new Drained(total, pending);
    }

    /**
     * Whether anything is marked or was committed since the last scan, within the margin behind the
     * watermark: false means the rollups already count every fact a drain would find now.
     */
    public boolean anythingNew(Duration margin) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setReadOnly(true);
            try {
                OffsetDateTime watermark;
                String zone;
                String seen;
                try (var statement = connection.createStatement();
                        var rows = statement.executeQuery(
                                "SELECT watermark, time_zone, scan_snapshot::text FROM analytics_settings")) {
                    rows.next();
                    watermark = rows.getObject(1, OffsetDateTime.class);
                    zone = rows.getString(2);
                    seen = rows.getString(3);
                }
                try (var check = bind(connection, ANYTHING_NEW, watermark.minus(margin), zone, seen);
                        var rows = check.executeQuery()) {
                    rows.next();
                    return rows.getBoolean(1);
                }
            } finally {
                connection.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Analytics rollup check failed", e);
        }
    }

    public Status status() {
        return inTransaction(connection -> {
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery("""
                    SELECT s.time_zone, s.min_confidence, d.marks, d.days, d.oldest
                    FROM analytics_settings s,
                         LATERAL (SELECT count(*) AS marks, count(DISTINCT (topic, day)) AS days,
                                         extract(epoch FROM now() - min(marked_at))::float8 AS oldest
                                  FROM analytics_dirty_days) d""")) {
                rows.next();
                return new Status(
                        rows.getString(1),
                        rows.getDouble(2),
                        rows.getLong(3),
                        rows.getLong(4),
                        rows.getObject(5) == null ? null : rows.getDouble(5));
            }
        });
    }

    /**
     * Marks the topic-days changed since the given instant and not seen by the last scan, then moves
     * the watermark to now() (this transaction's start: rows written by transactions that commit later
     * carry timestamps at most a margin older, and the next scan starts a margin behind it) and stores
     * the snapshot this scan saw at least.
     */
    private static void findChanged(
            Connection connection, OffsetDateTime since, String zone, String seen, String scanning)
            throws SQLException {
        try (var find = bind(connection, FIND_CHANGED, since, zone, seen)) {
            find.executeUpdate();
        }
        try (var update = connection.prepareStatement(
                "UPDATE analytics_settings SET watermark = now(), scan_snapshot = CAST(? AS pg_snapshot)")) {
            update.setString(1, scanning);
            update.executeUpdate();
        }
    }

    /**
     * The statement with :since and :seen written in as literals (both come from the database, not
     * from a request) and :tz bound. Literals because with parameters the server-side prepared
     * statement switches to a generic plan after five runs: for EXISTS it prices a sequential scan by
     * its first row (a third of the table assumed to match) below the index range scan, and then
     * reads every fact table in full (2.2 s per check at 1 M invoices, measured).
     */
    private static java.sql.PreparedStatement bind(
            Connection connection, String template, OffsetDateTime since, String zone, String seen)
            throws SQLException {
        if (seen != null && !seen.matches("\\d+:\\d+:[\\d,]*")) {
            throw new IllegalStateException("Unexpected scan snapshot " + seen);
        }
        String sql = template.replace(":tz", "CAST(? AS text)")
                .replace(":since", "CAST('" + since + "' AS timestamptz)")
                .replace(":seen", seen == null ? "CAST(NULL AS pg_snapshot)" : "CAST('" + seen + "' AS pg_snapshot)");
        var statement = connection.prepareStatement(sql);
        int parameters = sql.split("CAST\\(\\? AS text\\)", -1).length - 1;
        for (int index = 1; index <= parameters; index++) {
            statement.setString(index, zone);
        }
        return statement;
    }

    private void recompute(Connection connection, String topic, Set<LocalDate> days, String zone, double minConfidence)
            throws SQLException {
        String dates = array(days);
        switch (topic) {
            case "confidence" -> {
                delete(connection, "analytics_confidence_daily", "day", dates);
                try (var insert = connection.prepareStatement(CONFIDENCE)) {
                    insert.setString(1, dates);
                    insert.setDouble(2, minConfidence);
                    insert.setString(3, zone);
                    insert.setString(4, zone);
                    insert.executeUpdate();
                }
            }
            case "exceptions" -> refill(connection, "analytics_exceptions_daily", EXCEPTIONS, dates, zone, 4);
            case "vendors" -> {
                refill(connection, "analytics_vendors_daily", VENDORS, dates, zone, 2);
                String months = array(
                        days.stream().map(d -> d.withDayOfMonth(1)).collect(Collectors.toCollection(TreeSet::new)));
                delete(connection, "analytics_vendors_monthly", "month", months);
                try (var insert = connection.prepareStatement(VENDORS_MONTHLY)) {
                    insert.setString(1, months);
                    insert.executeUpdate();
                }
            }
            case "validations" -> refill(connection, "analytics_validations_daily", VALIDATIONS, dates, zone, 2);
            case "exports" -> refill(connection, "analytics_exports_daily", EXPORTS, dates, zone, 2);
            default -> throw new IllegalStateException("Unknown rollup topic " + topic);
        }
    }

    /** Deletes the days' rows and inserts them again; the query takes the days, then the zone zones times. */
    private static void refill(Connection connection, String table, String sql, String dates, String zone, int zones)
            throws SQLException {
        delete(connection, table, "day", dates);
        try (var insert = connection.prepareStatement(sql)) {
            insert.setString(1, dates);
            for (int i = 0; i < zones; i++) {
                insert.setString(2 + i, zone);
            }
            insert.executeUpdate();
        }
    }

    private static void delete(Connection connection, String table, String column, String dates) throws SQLException {
        try (var delete = connection.prepareStatement(
                "DELETE FROM " + table + " WHERE " + column + " = ANY (CAST(? AS date[]))")) {
            delete.setString(1, dates);
            delete.executeUpdate();
        }
    }

    private static String array(Set<LocalDate> days) {
        return days.stream().map(LocalDate::toString).collect(Collectors.joining(",", "{", "}"));
    }

    private static long pendingMarks(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM analytics_dirty_days")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** One local transaction on a pooled connection (callers run outside a container transaction). */
    private <T> T inTransaction(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Analytics rollup failed", e);
        }
    }
}
