package com.apintake.analytics.control;

import com.apintake.platform.control.ReadSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The AP questions, each answered by exactly one SQL statement over the daily rollups that {@link
 * Rollups} keeps exact: an answer reads one row per day (or per vendor and month) instead of every
 * fact in the period, so its cost does not grow with history. Days are calendar days in
 * apintake.analytics.time-zone.
 */
@ApplicationScoped
public class Analytics {

    public record DailyConfidence(LocalDate day, long extractions, double averageConfidence, long belowThreshold) {}

    public record ExceptionDay(LocalDate day, String type, long raised, long resolved, Double medianHoursToResolve) {}

    public record VendorFigures(
            long vendorId,
            String name,
            long invoices,
            double exceptionRate,
            double averageConfidence,
            double autoApprovedShare) {}

    public record RulePassRate(String rule, long checks, long passed, double passRate) {}

    public record ExportDay(LocalDate day, String status, long count) {}

    /** One row per day with extractions (analytics_confidence_daily, by its key). */
    static final String CONFIDENCE = """
            SELECT day, extractions, confidence_sum / extractions, below_threshold
            FROM analytics_confidence_daily
            WHERE day >= ? AND day < ?
            ORDER BY day""";

    /**
     * Raised per day of creation (with the median time to resolve those), resolved per day of
     * resolution; both per exception type.
     */
    static final String EXCEPTIONS = """
            SELECT day, type, raised, resolved, median_hours
            FROM analytics_exceptions_daily
            WHERE day >= ? AND day < ?
            ORDER BY day, type""";

    /**
     * Per vendor, over the invoices extracted in the period: how many, the share that raised an
     * exception, average confidence, and the share that went to approval without any exception
     * ("auto-approved"). Largest vendors first, paged. Parameters: the first and the last day of the
     * period. The totals are at most five slices of one day or month each (Liquibase 240), whatever the
     * period: the month-to-date totals at its last day (day_l), minus those at the day before its start
     * (day_f); when it spans months, plus the whole first month from that day (day_e) and the months in
     * between as the totals before the last month minus those before the second (month_b, month_a).
     * Each slice is the latest stored day or month at or before the one asked for (stored rows stop at
     * the last day or month with data; none stored means zero). So an answer reads at most 5 x vendors
     * index-only rows (30 days at 10 M invoices: 113,000 daily rows before). The counts are summed as
     * int4 (sum over bigint accumulates in numeric, twice as slow; one vendor's totals stay far below
     * 2^31).
     */
    static final String VENDORS = """
            WITH m AS (
                SELECT p.f, p.l, date_trunc('month', p.f::timestamp)::date AS mf, date_trunc('month', p.l::timestamp)::date AS ml
                FROM (SELECT CAST(? AS date) AS f, CAST(? AS date) AS l) p),
            k AS (
                SELECT (SELECT max(day) FROM analytics_vendors_running WHERE day >= m.ml AND day <= m.l) AS day_l,
                       (SELECT max(day) FROM analytics_vendors_running WHERE day >= m.mf AND day < m.f) AS day_f,
                       (SELECT max(day) FROM analytics_vendors_running
                        WHERE m.mf < m.ml AND day >= m.mf AND day < (m.mf + interval '1 month')::date) AS day_e,
                       (SELECT max(month) FROM analytics_vendors_before WHERE m.mf < m.ml AND month <= m.ml) AS month_b,
                       (SELECT max(month) FROM analytics_vendors_before
                        WHERE m.mf < m.ml AND month <= (m.mf + interval '1 month')::date) AS month_a
                FROM m),
            slices AS (
                SELECT r.vendor_id, r.invoices::int4 AS invoices, r.with_exception::int4 AS with_exception,
                       r.confidence_sum, r.auto_approved::int4 AS auto_approved
                FROM k JOIN analytics_vendors_running r ON r.day = k.day_l
                UNION ALL
                SELECT r.vendor_id, -r.invoices::int4, -r.with_exception::int4, -r.confidence_sum, -r.auto_approved::int4
                FROM k JOIN analytics_vendors_running r ON r.day = k.day_f
                UNION ALL
                SELECT r.vendor_id, r.invoices::int4, r.with_exception::int4, r.confidence_sum, r.auto_approved::int4
                FROM k JOIN analytics_vendors_running r ON r.day = k.day_e
                UNION ALL
                SELECT b.vendor_id, b.invoices::int4, b.with_exception::int4, b.confidence_sum, b.auto_approved::int4
                FROM k JOIN analytics_vendors_before b ON b.month = k.month_b
                UNION ALL
                SELECT b.vendor_id, -b.invoices::int4, -b.with_exception::int4, -b.confidence_sum, -b.auto_approved::int4
                FROM k JOIN analytics_vendors_before b ON b.month = k.month_a),
            per_vendor AS (
                SELECT vendor_id, sum(invoices) AS invoices, sum(with_exception) AS with_exception,
                       sum(confidence_sum) AS confidence_sum, sum(auto_approved) AS auto_approved
                FROM slices
                GROUP BY vendor_id
                HAVING sum(invoices) > 0)
            SELECT p.vendor_id, v.name, p.invoices,
                   p.with_exception::float8 / p.invoices AS exception_rate,
                   p.confidence_sum / p.invoices AS average_confidence,
                   p.auto_approved::float8 / p.invoices AS auto_approved_share
            FROM per_vendor p
            JOIN vendors v ON v.id = p.vendor_id
            ORDER BY p.invoices DESC, p.vendor_id
            LIMIT ? OFFSET ?""";

    static final String VALIDATIONS = """
            SELECT rule_code, sum(checks) AS checks, sum(passed) AS passed
            FROM analytics_validations_daily
            WHERE day >= ? AND day < ?
            GROUP BY rule_code
            ORDER BY rule_code""";

    static final String EXPORTS = """
            SELECT day, status, count
            FROM analytics_exports_daily
            WHERE day >= ? AND day < ?
            ORDER BY day, status""";

    /** Analytics may read a replica a few seconds behind (docs/cluster.md, Reads from a streaming replica). */
    @Inject
    ReadSource reads;

    /** belowThreshold counts extractions below apintake.validation.min-confidence (the rollup's threshold). */
    public List<DailyConfidence> extractionConfidence(Period period) {
        return query(
                CONFIDENCE,
                rows -> new DailyConfidence(
                        rows.getObject(1, LocalDate.class), rows.getLong(2), rows.getDouble(3), rows.getLong(4)),
                period.from(),
                period.to());
    }

    public List<ExceptionDay> exceptions(Period period) {
        return query(
                EXCEPTIONS,
                rows -> new ExceptionDay(
                        rows.getObject(1, LocalDate.class),
                        rows.getString(2),
                        rows.getLong(3),
                        rows.getLong(4),
                        rows.getObject(5) == null ? null : rows.getDouble(5)),
                period.from(),
                period.to());
    }

    public List<VendorFigures> vendors(Period period, int limit, int offset) {
        return query(
                VENDORS,
                rows -> new VendorFigures(
                        rows.getLong(1),
                        rows.getString(2),
                        rows.getLong(3),
                        rows.getDouble(4),
                        rows.getDouble(5),
                        rows.getDouble(6)),
                period.from(),
                period.to().minusDays(1),
                limit,
                offset);
    }

    public List<RulePassRate> validations(Period period) {
        return query(
                VALIDATIONS,
                rows -> {
                    long checks = rows.getLong(2);
                    long passed = rows.getLong(3);
                    return new RulePassRate(
                            rows.getString(1), checks, passed, checks == 0 ? 0 : (double) passed / checks);
                },
                period.from(),
                period.to());
    }

    public List<ExportDay> exports(Period period) {
        return query(
                EXPORTS,
                rows -> new ExportDay(rows.getObject(1, LocalDate.class), rows.getString(2), rows.getLong(3)),
                period.from(),
                period.to());
    }

    interface Row<T> {
        T map(ResultSet rows) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row, Object... parameters) {
        try (Connection connection = reads.connection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(row.map(rows));
                }
                return result;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Analytics query failed", e);
        }
    }
}
