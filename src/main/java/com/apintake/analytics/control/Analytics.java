package com.apintake.analytics.control;

import com.apintake.platform.control.ReadSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The AP questions, each answered by exactly one SQL aggregation: the database does the grouping
 * over the indexed range instead of the application looping over rows and asking again per row
 * (the N+1 pattern). Days are UTC days. Where a query must range over created_at of a table whose
 * performance index leads with a low-cardinality column (passed, resolved, status), the predicate
 * names every value of that column ({@code IN (false, true)}) so the planner can walk the index for
 * the range instead of reading the whole table.
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

    /** Index-only on idx_extractions_created_overall (the stored overall_confidence, Liquibase 110). */
    static final String CONFIDENCE = """
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) AS extractions,
                   avg(overall_confidence) AS average_confidence,
                   count(*) FILTER (WHERE overall_confidence < ?) AS below_threshold
            FROM invoice_extractions
            WHERE created_at >= ? AND created_at < ?
            GROUP BY 1
            ORDER BY 1""";

    /**
     * Raised per day of creation (with the median time to resolve those), resolved per day of
     * resolution; both per exception type. The raised side is served by idx_exceptions_resolved_created.
     */
    static final String EXCEPTIONS = """
            WITH raised AS (
                SELECT (created_at AT TIME ZONE 'UTC')::date AS day, type, count(*) AS raised,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) / 3600
                           AS median_hours
                FROM exceptions
                WHERE resolved IN (false, true) AND created_at >= ? AND created_at < ?
                GROUP BY 1, 2),
            resolved AS (
                SELECT (resolved_at AT TIME ZONE 'UTC')::date AS day, type, count(*) AS resolved
                FROM exceptions
                WHERE resolved AND resolved_at >= ? AND resolved_at < ?
                GROUP BY 1, 2)
            SELECT coalesce(r.day, s.day), coalesce(r.type, s.type), coalesce(r.raised, 0), coalesce(s.resolved, 0),
                   r.median_hours
            FROM raised r
            FULL JOIN resolved s ON s.day = r.day AND s.type = r.type
            ORDER BY 1, 2""";

    /**
     * Per vendor, over the invoices extracted in the period (driven by idx_extractions_created_confidence,
     * invoices joined by key): how many, how many raised an exception, average confidence, and the share
     * that went to approval without any exception ("auto-approved"). Largest vendors first, paged.
     */
    static final String VENDORS = """
            SELECT vendor_id, name, count(*) AS invoices,
                   avg(has_exception::int) AS exception_rate,
                   avg(confidence) AS average_confidence,
                   avg((NOT has_exception AND reached_approval)::int) AS auto_approved_share
            FROM (SELECT i.vendor_id, v.name,
                         x.overall_confidence AS confidence,
                         EXISTS (SELECT 1 FROM exceptions e WHERE e.invoice_id = i.id) AS has_exception,
                         i.workflow_status IN ('PENDING_APPROVAL', 'APPROVED', 'STAGED', 'EXPORTED') AS reached_approval
                  FROM invoice_extractions x
                  JOIN invoices i ON i.id = x.invoice_id
                  JOIN vendors v ON v.id = i.vendor_id
                  WHERE x.created_at >= ? AND x.created_at < ?) per_invoice
            GROUP BY vendor_id, name
            ORDER BY invoices DESC, vendor_id
            LIMIT ? OFFSET ?""";

    /** Served by idx_validations_passed_created (both values of passed, then the range). */
    static final String VALIDATIONS = """
            SELECT rule_code, count(*) AS checks, count(*) FILTER (WHERE passed) AS passed
            FROM validations
            WHERE passed IN (false, true) AND created_at >= ? AND created_at < ?
            GROUP BY rule_code
            ORDER BY rule_code""";

    /** Served by idx_staged_exports_status_created, index-only. */
    static final String EXPORTS = """
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day, status, count(*)
            FROM staged_exports
            WHERE status IN ('PENDING', 'EXPORTED', 'FAILED') AND created_at >= ? AND created_at < ?
            GROUP BY 1, 2
            ORDER BY 1, 2""";

    /** Analytics may read a replica a few seconds behind (docs/cluster.md, Reads from a streaming replica). */
    @Inject
    ReadSource reads;

    public List<DailyConfidence> extractionConfidence(Period period, double threshold) {
        return query(
                CONFIDENCE,
                rows -> new DailyConfidence(
                        rows.getObject(1, LocalDate.class), rows.getLong(2), rows.getDouble(3), rows.getLong(4)),
                threshold,
                period.start(),
                period.end());
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
                period.start(),
                period.end(),
                period.start(),
                period.end());
    }

    public List<VendorFigures> vendors(Period period, int limit, int offset) {
        return query(
                VENDORS,
                rows -> new VendorFigures(
                        rows.getLong(1),
                        rows.getString(2),
                        rows.getLong(3),
                        ratio(rows.getBigDecimal(4)),
                        rows.getDouble(5),
                        ratio(rows.getBigDecimal(6))),
                period.start(),
                period.end(),
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
                period.start(),
                period.end());
    }

    public List<ExportDay> exports(Period period) {
        return query(
                EXPORTS,
                rows -> new ExportDay(rows.getObject(1, LocalDate.class), rows.getString(2), rows.getLong(3)),
                period.start(),
                period.end());
    }

    private static double ratio(BigDecimal value) {
        return value == null ? 0 : value.doubleValue();
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
