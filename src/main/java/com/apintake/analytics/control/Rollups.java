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
import java.util.Set;
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

    /**
     * What following the facts' retention did: the first local day with extractions and with
     * validations (null when the table has none), and the rollup rows removed.
     */
    public record Forgotten(LocalDate extractionsFrom, LocalDate validationsFrom, long rows) {}

    static final List<String> TABLES = List.of(
            "analytics_confidence_daily",
            "analytics_exceptions_daily",
            "analytics_vendors_daily",
            "analytics_vendors_monthly",
            "analytics_vendors_running",
            "analytics_vendors_before",
            "analytics_validations_daily",
            "analytics_exports_daily");

    /** One drain at a time across all instances (two would insert the same rollup keys). */
    static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('apintake.analytics.rollups'))";

    static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('apintake.analytics.rollups'))";

    /**
     * A fact row not yet seen by the last scan: its xmin is at or after the stored scan snapshot's xmax,
     * or was in progress in it (its xip list). Compared with age(), which is the 32-bit distance from
     * this transaction's stable reference xid (its own xid, or the next one when it has none): both
     * ages share that reference, so age(xmin) <= age(snapshot xmax) means "xmin >= xmax", newer rows
     * (negative age) included. Exact for every unfrozen row (anti-wraparound vacuum keeps ages below
     * 2^31) and frozen rows answer INT_MAX (seen). Two cheap calls per row instead of building the
     * current snapshot and converting xids through text twice per row (which made the check cost
     * about 1.3 us per row in the window, docs/read-path-10m.md). No stored snapshot: every row is
     * unseen. Assumes facts are not written inside savepoints (a subtransaction's xid is not in a
     * snapshot's list; the application sets none).
     */
    static String unseen(String alias) {
        return "(age(%1$s.xmin) <= :seenAge OR %1$s.xmin = ANY (:seenXip))".formatted(alias);
    }

    /**
     * The window of a timestamp column: from :since (the watermark minus the margin) up to the
     * statement's start plus the margin. The application writes now() (its transaction's start), so
     * every fact a statement can see carries a timestamp before the statement started (plus clock
     * jitter, covered by the margin). The upper bound keeps rows dated in the future (bulk loads write
     * exported_at and resolved_at up to days ahead: 11,218 + 1,592 rows at 10 M) out of every scan; like
     * back-dated rows they need a rebuild of their days.
     */
    static String window(String column) {
        return "%1$s >= :since AND %1$s <= statement_timestamp() + :margin".formatted(column);
    }

    /**
     * A topic whose days a fact source changes: which day a changed row moves (an expression over the
     * source's alias and the join's), and the join that finds that day, if the row does not carry it.
     */
    record Mark(String topic, String join, String day) {}

    /**
     * One fact table and timestamp whose new rows change rollup days: the table with its alias, the
     * timestamp column the window applies to, the rows of interest (a predicate the index on the
     * timestamp serves, or empty), and the topic-days such a row marks. A new fact source is declared
     * here once; {@link #CHANGED} and {@link #PROBES} are derived from it.
     */
    record Source(String table, String alias, String timestamp, String filter, List<Mark> marks) {

        /** The rows in the window not seen by the last scan. */
        String where() {
            return (filter.isEmpty() ? "" : filter + " AND ") + window(alias + "." + timestamp) + " AND "
                    + unseen(alias);
        }

        String from() {
            return table + " " + alias;
        }
    }

    /**
     * An invoice move changes the vendor figures of its extraction day; a new exception changes whether
     * its invoice has one; a resolution changes both the day raised (median hours) and the day resolved.
     */
    static final List<Source> SOURCES = List.of(
            new Source(
                    "invoice_extractions",
                    "f",
                    "created_at",
                    "",
                    List.of(new Mark("confidence", "", "f.created_at"), new Mark("vendors", "", "f.created_at"))),
            new Source(
                    "invoices",
                    "i",
                    "updated_at",
                    "",
                    List.of(new Mark("vendors", " JOIN invoice_extractions x ON x.invoice_id = i.id", "x.created_at"))),
            new Source(
                    "exceptions",
                    "e",
                    "created_at",
                    "e.resolved IN (false, true)",
                    List.of(
                            new Mark(
                                    "vendors",
                                    " JOIN invoice_extractions x ON x.invoice_id = e.invoice_id",
                                    "x.created_at"),
                            new Mark("exceptions", "", "e.created_at"))),
            new Source(
                    "exceptions",
                    "e",
                    "resolved_at",
                    "e.resolved",
                    List.of(new Mark(
                            "exceptions", " CROSS JOIN LATERAL (VALUES (e.created_at), (e.resolved_at)) v(d)", "v.d"))),
            new Source(
                    "validations",
                    "f",
                    "created_at",
                    "f.passed IN (false, true)",
                    List.of(new Mark("validations", "", "f.created_at"))),
            new Source(
                    "staged_exports",
                    "f",
                    "created_at",
                    "f.status IN ('PENDING', 'EXPORTED', 'FAILED')",
                    List.of(new Mark("exports", "", "f.created_at"))),
            new Source("staged_exports", "f", "exported_at", "", List.of(new Mark("exports", "", "f.created_at"))));

    /**
     * Every topic-day whose facts carry a timestamp in the window and were not seen by the last scan,
     * one branch per source and mark. Each branch is a range scan of an index on that timestamp (plus
     * the row's xmin from the heap).
     */
    static final List<String> CHANGED = SOURCES.stream()
            .flatMap(source -> source.marks().stream()
                    .map(mark -> "SELECT '" + mark.topic() + "', (" + mark.day() + " AT TIME ZONE :tz)::date FROM "
                            + source.from() + mark.join() + " WHERE " + source.where()))
            .toList();

    /** Marks the changed topic-days (see {@link #CHANGED}). */
    static final String FIND_CHANGED =
            "INSERT INTO analytics_dirty_days (topic, day)\n" + String.join("\nUNION\n", CHANGED);

    /**
     * The same windows as {@link #CHANGED}, one probe per source, without the joins that only tell
     * which day to mark: the check needs one unseen row, not its day. No join means no planning over
     * every partition of invoice_extractions on each call (75 ms cold, 4 ms warm per joined branch at
     * 10 M).
     */
    static final List<String> PROBES = SOURCES.stream()
            .map(source -> "SELECT 1 FROM " + source.from() + " WHERE " + source.where())
            .toList();

    /**
     * Whether an answer must drain first: a marked day is pending, or a fact was committed since the
     * last scan (in its window). Read-only, no lock: when nothing changed an answer costs this one
     * statement more, and concurrent answers do not queue on the drain lock.
     */
    static final String ANYTHING_NEW = "SELECT EXISTS (SELECT 1 FROM analytics_dirty_days)"
            + PROBES.stream().map(probe -> "\n OR EXISTS (" + probe + ")").collect(Collectors.joining());

    /** The oldest marked topic-day (the limit is 1), with all its marks. */
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
     * Per vendor and one day of extraction: invoices, those with any exception, the confidence sum, and
     * those that reached approval without an exception. Extractions by idx_extractions_created_overall
     * (index-only), invoices by key, exceptions by idx_exceptions_invoice. One day at a time with the
     * day's bounds written in (:day, :start, :end; computed by the database in the rollup's zone): the
     * planner then prunes to the day's partition and expects one day's rows. Over an array of days with
     * the bounds as lateral parameters it expected 1.1 M rows per day and hashed every extraction and
     * invoice, spilling to disk (10 min for 730 days at 10 M, docs/ten-million.md); per day 0.26 s.
     */
    static final String VENDORS_DAY = """
            INSERT INTO analytics_vendors_daily (day, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT :day, p.vendor_id, count(*), count(*) FILTER (WHERE p.has_exception), sum(p.confidence),
                   count(*) FILTER (WHERE NOT p.has_exception AND p.reached_approval)
            FROM (SELECT i.vendor_id, x.overall_confidence AS confidence,
                         EXISTS (SELECT 1 FROM exceptions e WHERE e.invoice_id = i.id) AS has_exception,
                         i.workflow_status IN ('PENDING_APPROVAL', 'APPROVED', 'STAGED', 'EXPORTED') AS reached_approval
                  FROM invoice_extractions x
                  JOIN invoices i ON i.id = x.invoice_id
                  WHERE i.vendor_id IS NOT NULL AND x.created_at >= :start AND x.created_at < :end) p
            GROUP BY p.vendor_id""";

    /** A day's bounds in the zone, as timestamptz text (written into {@link #VENDORS_DAY}). */
    static final String DAY_BOUNDS = """
            SELECT (CAST(? AS date)::timestamp AT TIME ZONE ?)::text, ((CAST(? AS date) + 1)::timestamp AT TIME ZONE ?)::text""";

    /**
     * Month-to-date totals per vendor (Liquibase 240) from a month's first recomputed day (:first) to its
     * last day with data, for every vendor active by then: the totals at the last stored day before
     * :first (unchanged by this batch) plus the running sum of the daily rows from :first. A vendor's
     * rows start at its first day with invoices in the month. Rows read and written: vendors x the
     * days from :first to the month's end at most; for today's changes one day's rows. The repeated
     * range conditions on the joins let the planner read only the month's daily rows: without them it
     * expected 1,000 days per vendor (generate_series) and sorted the whole daily table (15 s per month
     * at 10 M, load 35; 6 s with them).
     */
    static final String VENDORS_RUNNING = """
            INSERT INTO analytics_vendors_running (day, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT day, vendor_id, invoices, with_exception, confidence_sum, auto_approved
            FROM (SELECT g.day, v.vendor_id,
                         coalesce(b.invoices, 0) + sum(coalesce(d.invoices, 0)) OVER w AS invoices,
                         coalesce(b.with_exception, 0) + sum(coalesce(d.with_exception, 0)) OVER w AS with_exception,
                         coalesce(b.confidence_sum, 0) + sum(coalesce(d.confidence_sum, 0)) OVER w AS confidence_sum,
                         coalesce(b.auto_approved, 0) + sum(coalesce(d.auto_approved, 0)) OVER w AS auto_approved
                  FROM (SELECT CAST(? AS date) AS first, CAST(? AS date) AS next_month) p
                  CROSS JOIN LATERAL (SELECT max(day) AS last FROM analytics_vendors_daily
                                      WHERE day >= p.first AND day < p.next_month) l
                  CROSS JOIN LATERAL (SELECT max(day) AS day FROM analytics_vendors_running
                                      WHERE day >= date_trunc('month', p.first::timestamp)::date AND day < p.first) bd
                  CROSS JOIN LATERAL (SELECT vendor_id FROM analytics_vendors_running WHERE day = bd.day
                                      UNION
                                      SELECT vendor_id FROM analytics_vendors_daily
                                      WHERE day >= p.first AND day < p.next_month) v
                  CROSS JOIN LATERAL (SELECT s::date AS day
                                      FROM generate_series(p.first::timestamp, l.last::timestamp, interval '1 day') s) g
                  LEFT JOIN analytics_vendors_running b ON b.day = bd.day AND b.vendor_id = v.vendor_id
                         AND b.day >= date_trunc('month', p.first::timestamp)::date AND b.day < p.first
                  LEFT JOIN analytics_vendors_daily d ON d.day = g.day AND d.vendor_id = v.vendor_id
                         AND d.day >= p.first AND d.day < p.next_month
                  WINDOW w AS (PARTITION BY v.vendor_id ORDER BY g.day)) r
            WHERE invoices > 0""";

    /** A whole month of the vendor rollup: the month-to-date totals at its last stored day. */
    static final String VENDORS_MONTHLY = """
            INSERT INTO analytics_vendors_monthly (month, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT CAST(? AS date), vendor_id, invoices, with_exception, confidence_sum, auto_approved
            FROM analytics_vendors_running
            WHERE day = (SELECT max(day) FROM analytics_vendors_running WHERE day >= CAST(? AS date) AND day < CAST(? AS date))""";

    /**
     * Where the totals before each month must be recomputed from: the latest stored month at or before
     * the first changed month (its totals cover only unchanged months), else the first month with data.
     */
    static final String VENDORS_BEFORE_FROM = """
            SELECT coalesce((SELECT max(month) FROM analytics_vendors_before WHERE month <= CAST(? AS date)),
                            least((SELECT min(month) FROM analytics_vendors_monthly), CAST(? AS date)))""";

    /**
     * Totals of all months before each month, from the month after :first to the month after the last
     * month with data: the stored totals before :first plus the running sum of the monthly rows from
     * :first, for every vendor with invoices by then.
     */
    static final String VENDORS_BEFORE = """
            INSERT INTO analytics_vendors_before (month, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
            SELECT month, vendor_id, invoices, with_exception, confidence_sum, auto_approved
            FROM (SELECT g.month, v.vendor_id,
                         coalesce(b.invoices, 0) + sum(coalesce(m.invoices, 0)) OVER w AS invoices,
                         coalesce(b.with_exception, 0) + sum(coalesce(m.with_exception, 0)) OVER w AS with_exception,
                         coalesce(b.confidence_sum, 0) + sum(coalesce(m.confidence_sum, 0)) OVER w AS confidence_sum,
                         coalesce(b.auto_approved, 0) + sum(coalesce(m.auto_approved, 0)) OVER w AS auto_approved
                  FROM (SELECT CAST(? AS date) AS first) p
                  CROSS JOIN LATERAL (SELECT max(month) AS last FROM analytics_vendors_monthly) l
                  CROSS JOIN LATERAL (SELECT vendor_id FROM analytics_vendors_before WHERE month = p.first
                                      UNION
                                      SELECT vendor_id FROM analytics_vendors_monthly WHERE month >= p.first) v
                  CROSS JOIN LATERAL (SELECT s::date AS month
                                      FROM generate_series(p.first + interval '1 month', l.last + interval '1 month',
                                                           interval '1 month') s) g
                  LEFT JOIN analytics_vendors_before b ON b.month = p.first AND b.vendor_id = v.vendor_id
                  LEFT JOIN analytics_vendors_monthly m
                         ON m.vendor_id = v.vendor_id AND m.month = (g.month - interval '1 month')::date AND m.month >= p.first
                  WINDOW w AS (PARTITION BY v.vendor_id ORDER BY g.month)) r
            WHERE invoices > 0""";

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

    /**
     * Whether the confidence or vendor rollups hold a day before the first kept extraction day (or a
     * month before its month): facts of those days were dropped. Each is one index range on the day.
     */
    static final String FORGETTABLE_VENDOR_DAYS = """
            SELECT EXISTS (SELECT 1 FROM analytics_confidence_daily WHERE day < CAST(? AS date))
                OR EXISTS (SELECT 1 FROM analytics_vendors_daily WHERE day < CAST(? AS date))
                OR EXISTS (SELECT 1 FROM analytics_vendors_running WHERE day < CAST(? AS date))
                OR EXISTS (SELECT 1 FROM analytics_vendors_monthly
                           WHERE month < date_trunc('month', CAST(? AS date)::timestamp)::date)""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    /** The stored time zone and confidence threshold the rollups were built with. */
    private record Settings(String zone, double minConfidence) {}

    /** Reads the stored settings and locks their row until the transaction ends. */
    private static Settings lockSettings(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows =
                        statement.executeQuery("SELECT time_zone, min_confidence FROM analytics_settings FOR UPDATE")) {
            rows.next();
            return new Settings(rows.getString(1), rows.getDouble(2));
        }
    }

    /**
     * Makes the stored zone and threshold the configured ones; if either changed, empties the rollups
     * and marks every day for recomputation (the next drains rebuild them). Returns whether it rebuilt.
     */
    public boolean configure(ZoneId zone, double minConfidence) {
        return inTransaction(connection -> {
            execute(connection, LOCK);
            Settings stored = lockSettings(connection);
            String storedZone = stored.zone();
            double storedMin = stored.minConfidence();
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
     * Recomputes the oldest marked topic-days, one at a time, up to batchDays or until the budget is
     * spent (at least one), then the months of the vendor days among them. With wait, it queues behind a drain
     * already running (so every mark committed before the call is handled once it returns, given
     * enough calls); without, it returns at once when another drain holds the lock.
     */
    public Drained drain(int batchDays, Duration budget, boolean wait, Duration margin) {
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
                findChanged(connection, watermark.minus(margin), margin, zone, seen, scanning);
            }
            // One topic-day per statement, until batchDays are done or the time budget is spent (at least one):
            // a batch's transaction must stay well inside the pool's leak timeouts (30 s statement leak in dev),
            // whatever a day costs at this data size (100 topic-days per batch ran longer at 10 M and were
            // reclaimed and rolled back again and again, docs/ten-million.md).
            long deadline = System.nanoTime() + budget.toNanos();
            // A month's vendor totals are brought up to date when the batch moves on to another month (and at
            // its end), inside the budget: a rebuild's marks come in day order, so each month is done once.
            LocalDate month = null;
            LocalDate firstDay = null;
            LocalDate earliestMonth = null;
            int recomputed = 0;
            while (recomputed < batchDays && (recomputed == 0 || System.nanoTime() < deadline)) {
                String topic;
                LocalDate day;
                try (var take = connection.prepareStatement(TAKE_MARKS)) {
                    take.setInt(1, 1);
                    try (var rows = take.executeQuery()) {
                        if (!rows.next()) {
                            break;
                        }
                        topic = rows.getString(1);
                        day = rows.getObject(2, LocalDate.class);
                    }
                }
                recompute(connection, topic, day, zone, minConfidence);
                recomputed++;
                if (topic.equals("vendors")) {
                    LocalDate dayMonth = day.withDayOfMonth(1);
                    if (month != null && !month.equals(dayMonth)) {
                        monthTotals(connection, month, firstDay);
                        firstDay = null;
                    }
                    month = dayMonth;
                    firstDay = firstDay == null || day.isBefore(firstDay) ? day : firstDay;
                    earliestMonth =
                            earliestMonth == null || dayMonth.isBefore(earliestMonth) ? dayMonth : earliestMonth;
                }
            }
            if (month != null) {
                monthTotals(connection, month, firstDay);
                totalsBefore(connection, earliestMonth);
            }
            return new Drained(recomputed, pendingMarks(connection));
        });
    }

    /**
     * Makes the rollups follow the facts' retention: when the maintenance run dropped the oldest month
     * partitions of invoice_extractions or validations (apintake.partitions.retention-months.*), the
     * rollup rows of days before the first remaining fact go, in one transaction under the drain lock.
     * The vendor rollup's "before" totals are rebuilt from the first kept month with a zero base (they
     * are only ever read as differences, so kept periods answer the same, and a period reaching back
     * past the first kept fact counts only what is kept, as the raw question does). The first kept day
     * is recomputed: partitions end at UTC month bounds, so in another zone its facts may be partly
     * dropped. Rows are removed only where facts are gone, so this does nothing without a retention;
     * exceptions and exports are never dropped and keep their rollups.
     */
    public Forgotten forgetDropped() {
        return inTransaction(connection -> {
            execute(connection, LOCK);
            execute(connection, "SET LOCAL jit = off");
            Settings settings = lockSettings(connection);
            String zone = settings.zone();
            double minConfidence = settings.minConfidence();
            LocalDate extractions = firstDay(connection, "invoice_extractions", zone);
            LocalDate validations = firstDay(connection, "validations", zone);
            long removed = 0;
            String keptFrom = extractions == null ? "infinity" : extractions.toString();
            if (exists(connection, FORGETTABLE_VENDOR_DAYS, keptFrom)) {
                for (String table :
                        List.of("analytics_confidence_daily", "analytics_vendors_daily", "analytics_vendors_running")) {
                    removed +=
                            deleteBefore(connection, "DELETE FROM " + table + " WHERE day < CAST(? AS date)", keptFrom);
                }
                removed += deleteBefore(
                        connection,
                        "DELETE FROM analytics_vendors_monthly"
                                + " WHERE month < date_trunc('month', CAST(? AS date)::timestamp)::date",
                        keptFrom);
                removed += deleteBefore(
                        connection,
                        "DELETE FROM analytics_vendors_before"
                                + " WHERE month <= date_trunc('month', CAST(? AS date)::timestamp)::date",
                        keptFrom);
                deleteBefore(
                        connection,
                        "DELETE FROM analytics_dirty_days WHERE topic IN ('confidence', 'vendors') AND day < CAST(? AS date)",
                        keptFrom);
                if (extractions != null) {
                    recompute(connection, "confidence", extractions, zone, minConfidence);
                    recompute(connection, "vendors", extractions, zone, minConfidence);
                    LocalDate month = extractions.withDayOfMonth(1);
                    monthTotals(connection, month, extractions);
                    totalsBefore(connection, month);
                }
            }
            String validationsFrom = validations == null ? "infinity" : validations.toString();
            if (exists(
                    connection,
                    "SELECT EXISTS (SELECT 1 FROM analytics_validations_daily WHERE day < CAST(? AS date))",
                    validationsFrom)) {
                removed += deleteBefore(
                        connection,
                        "DELETE FROM analytics_validations_daily WHERE day < CAST(? AS date)",
                        validationsFrom);
                deleteBefore(
                        connection,
                        "DELETE FROM analytics_dirty_days WHERE topic = 'validations' AND day < CAST(? AS date)",
                        validationsFrom);
                if (validations != null) {
                    recompute(connection, "validations", validations, zone, minConfidence);
                }
            }
            return new Forgotten(extractions, validations, removed);
        });
    }

    /**
     * Looks for changes (unless margin is null) and drains until nothing is marked or maxRounds batches
     * ran: the topic-days recomputed and the marks left, counted under the drain lock.
     */
    public Drained drainAll(int batchDays, Duration budget, int maxRounds, Duration margin) {
        int total = 0;
        long pending = -1;
        for (int round = 0; round < maxRounds; round++) {
            // Changes are looked for once per run: each look re-marks the margin behind the watermark.
            Drained drained = drain(batchDays, budget, true, round == 0 ? margin : null);
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
                try (var check = bind(connection, ANYTHING_NEW, watermark.minus(margin), margin, zone, seen);
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
            Connection connection, OffsetDateTime since, Duration margin, String zone, String seen, String scanning)
            throws SQLException {
        try (var find = bind(connection, FIND_CHANGED, since, margin, zone, seen)) {
            find.executeUpdate();
        }
        try (var update = connection.prepareStatement(
                "UPDATE analytics_settings SET watermark = now(), scan_snapshot = CAST(? AS pg_snapshot)")) {
            update.setString(1, scanning);
            update.executeUpdate();
        }
    }

    /**
     * The statement with :since, :margin and the stored snapshot (:seenAge, :seenXip) written in as
     * literals (all come from the database or the configuration, not from a request) and :tz bound.
     * Literals because with parameters the server-side prepared statement switches to a generic plan
     * after five runs: for EXISTS it prices a sequential scan by its first row (a third of the table
     * assumed to match) below the index range scan, and then reads every fact table in full (2.2 s per
     * check at 1 M invoices, measured); and a literal :since lets the planner prune the partitions.
     */
    static String literals(String template, OffsetDateTime since, Duration margin, String seen) {
        String seenAge;
        String seenXip;
        if (seen == null) {
            seenAge = "2147483647";
            seenXip = "CAST('{}' AS xid[])";
        } else {
            if (!seen.matches("\\d+:\\d+:[\\d,]*")) {
                throw new IllegalStateException("Unexpected scan snapshot " + seen);
            }
            String[] parts = seen.split(":", -1);
            seenAge = "age(CAST('" + xid32(parts[1]) + "' AS xid))";
            seenXip = "CAST('{"
                    + (parts[2].isEmpty()
                            ? ""
                            : java.util.Arrays.stream(parts[2].split(","))
                                    .map(Rollups::xid32)
                                    .collect(Collectors.joining(",")))
                    + "}' AS xid[])";
        }
        return template.replace(":tz", "CAST(? AS text)")
                .replace(":since", "CAST('" + since + "' AS timestamptz)")
                .replace(":margin", "CAST('" + margin.toSeconds() + " seconds' AS interval)")
                .replace(":seenAge", seenAge)
                .replace(":seenXip", seenXip);
    }

    /** The 32-bit xid (what a row's xmin holds) of a 64-bit xid8 from a pg_snapshot. */
    private static String xid32(String xid8) {
        return Long.toString(Long.parseLong(xid8) & 0xFFFFFFFFL);
    }

    private static java.sql.PreparedStatement bind(
            Connection connection, String template, OffsetDateTime since, Duration margin, String zone, String seen)
            throws SQLException {
        String sql = literals(template, since, margin, seen);
        var statement = connection.prepareStatement(sql);
        int parameters = sql.split("CAST\\(\\? AS text\\)", -1).length - 1;
        for (int index = 1; index <= parameters; index++) {
            statement.setString(index, zone);
        }
        return statement;
    }

    private void recompute(Connection connection, String topic, LocalDate day, String zone, double minConfidence)
            throws SQLException {
        String dates = array(Set.of(day));
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
                delete(connection, "analytics_vendors_daily", "day", dates);
                try (var insert = connection.createStatement()) {
                    insert.executeUpdate(vendorsDay(connection, day, zone));
                }
            }
            case "validations" -> refill(connection, "analytics_validations_daily", VALIDATIONS, dates, zone, 2);
            case "exports" -> refill(connection, "analytics_exports_daily", EXPORTS, dates, zone, 2);
            default -> throw new IllegalStateException("Unknown rollup topic " + topic);
        }
    }

    /** After vendor days of a month were recomputed: its month-to-date rows from the first of them on, and its total. */
    private static void monthTotals(Connection connection, LocalDate month, LocalDate firstDay) throws SQLException {
        LocalDate next = month.plusMonths(1);
        try (var delete =
                connection.prepareStatement("DELETE FROM analytics_vendors_running WHERE day >= ? AND day < ?")) {
            delete.setObject(1, firstDay);
            delete.setObject(2, next);
            delete.executeUpdate();
        }
        try (var insert = connection.prepareStatement(VENDORS_RUNNING)) {
            insert.setObject(1, firstDay);
            insert.setObject(2, next);
            insert.executeUpdate();
        }
        try (var delete = connection.prepareStatement("DELETE FROM analytics_vendors_monthly WHERE month = ?")) {
            delete.setObject(1, month);
            delete.executeUpdate();
        }
        try (var insert = connection.prepareStatement(VENDORS_MONTHLY)) {
            insert.setObject(1, month);
            insert.setObject(2, month);
            insert.setObject(3, next);
            insert.executeUpdate();
        }
    }

    /** After months' totals changed (the earliest given): the totals before every later month. */
    private static void totalsBefore(Connection connection, LocalDate changed) throws SQLException {
        LocalDate from;
        try (var query = connection.prepareStatement(VENDORS_BEFORE_FROM)) {
            query.setObject(1, changed);
            query.setObject(2, changed);
            try (var rows = query.executeQuery()) {
                rows.next();
                from = rows.getObject(1, LocalDate.class);
            }
        }
        try (var delete = connection.prepareStatement("DELETE FROM analytics_vendors_before WHERE month > ?")) {
            delete.setObject(1, from);
            delete.executeUpdate();
        }
        try (var insert = connection.prepareStatement(VENDORS_BEFORE)) {
            insert.setObject(1, from);
            insert.executeUpdate();
        }
    }

    /** {@link #VENDORS_DAY} with the day and its bounds (from the database, in the zone) written in. */
    private static String vendorsDay(Connection connection, LocalDate day, String zone) throws SQLException {
        String start;
        String end;
        try (var bounds = connection.prepareStatement(DAY_BOUNDS)) {
            bounds.setObject(1, day);
            bounds.setString(2, zone);
            bounds.setObject(3, day);
            bounds.setString(4, zone);
            try (var rows = bounds.executeQuery()) {
                rows.next();
                start = rows.getString(1);
                end = rows.getString(2);
            }
        }
        for (String bound : List.of(start, end)) {
            if (!bound.matches("[0-9][0-9:. +-]*")) {
                throw new IllegalStateException("Unexpected day bound " + bound);
            }
        }
        return VENDORS_DAY
                .replace(":day", "DATE '" + day + "'")
                .replace(":start", "CAST('" + start + "' AS timestamptz)")
                .replace(":end", "CAST('" + end + "' AS timestamptz)");
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

    /** The local day of a fact table's oldest row (its created_at index, first partition), null when empty. */
    private static LocalDate firstDay(Connection connection, String table, String zone) throws SQLException {
        try (var query = connection.prepareStatement(
                "SELECT (min(created_at) AT TIME ZONE CAST(? AS text))::date FROM " + table)) {
            query.setString(1, zone);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getObject(1, LocalDate.class);
            }
        }
    }

    /** The query with every parameter set to the day (text, so that 'infinity' passes). */
    private static boolean exists(Connection connection, String sql, String day) throws SQLException {
        try (var query = connection.prepareStatement(sql)) {
            for (int i = 1; i <= query.getParameterMetaData().getParameterCount(); i++) {
                query.setString(i, day);
            }
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private static long deleteBefore(Connection connection, String sql, String day) throws SQLException {
        try (var delete = connection.prepareStatement(sql)) {
            delete.setString(1, day);
            return delete.executeUpdate();
        }
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
