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
     * ("auto-approved"). Whole months come from the monthly rollup, the partial months at either end
     * from the daily one. Largest vendors first, paged. The counts are summed as int4 (sum gives
     * bigint): sum over bigint accumulates in numeric, which made the aggregation of 25,000-38,000 rollup
     * rows twice as slow at 1 M invoices (docs/read-path.md); one vendor's month stays far below 2^31.
     */
    static final String VENDORS = """
            WITH per_vendor AS (
                SELECT vendor_id, sum(invoices::int4) AS invoices, sum(with_exception::int4) AS with_exception,
                       sum(confidence_sum) AS confidence_sum, sum(auto_approved::int4) AS auto_approved
                FROM (SELECT vendor_id, invoices, with_exception, confidence_sum, auto_approved
                      FROM analytics_vendors_monthly
                      WHERE month >= ? AND month < ?
                      UNION ALL
                      SELECT vendor_id, invoices, with_exception, confidence_sum, auto_approved
                      FROM analytics_vendors_daily
                      WHERE (day >= ? AND day < ?) OR (day >= ? AND day < ?)) r
                GROUP BY vendor_id)
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
        LocalDate monthsFrom = period.firstWholeMonth();
        LocalDate monthsTo = period.endOfWholeMonths();
        return query(
                VENDORS,
                rows -> new VendorFigures(
                        rows.getLong(1),
                        rows.getString(2),
                        rows.getLong(3),
                        rows.getDouble(4),
                        rows.getDouble(5),
                        rows.getDouble(6)),
                monthsFrom,
                monthsTo,
                period.from(),
                monthsFrom,
                monthsTo,
                period.to(),
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
