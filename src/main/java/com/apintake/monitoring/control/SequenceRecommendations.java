package com.apintake.monitoring.control;

import static com.apintake.monitoring.control.Findings.evidence;
import static com.apintake.monitoring.control.Findings.round;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Recommendations of the sequences topic: sequences (or their columns) past the registry's
 * sequence_used threshold, with the move to bigint to plan.
 */
@ApplicationScoped
public class SequenceRecommendations implements RecommendationTopic {

    /** Sequences and the limit of the column they feed (an integer column overflows long before a bigint sequence). */
    static final String SEQUENCES = """
            SELECT s.schemaname, s.sequencename, s.last_value,
                   least(s.max_value, CASE t.typname WHEN 'int2' THEN 32767 WHEN 'int4' THEN 2147483647
                                                     ELSE 9223372036854775807 END),
                   c.relname, a.attname
            FROM pg_sequences s
            JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = to_regnamespace(s.schemaname)
            LEFT JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass
                                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LEFT JOIN pg_class c ON c.oid = d.refobjid
            LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            LEFT JOIN pg_type t ON t.oid = a.atttypid
            WHERE s.last_value IS NOT NULL""";

    @Inject
    Thresholds thresholds;

    private void sequences(Connection connection, List<Recommendation> found) throws SQLException {
        try (var statement = connection.prepareStatement(SEQUENCES);
                var rows = statement.executeQuery()) {
            while (rows.next()) {
                long last = rows.getLong(3);
                long limit = rows.getLong(4);
                double used = 100.0 * last / limit;
                if (!limit("sequence_used").warns(used)) {
                    continue;
                }
                String column = rows.getString(5) == null ? null : rows.getString(5) + "." + rows.getString(6);
                found.add(new Recommendation(
                        "sequence_overflow",
                        limit("sequence_used").critical(used) ? "critical" : "warning",
                        rows.getString(1) + "." + rows.getString(2),
                        evidence("lastValue", last, "limit", limit, "usedPercent", round(used), "column", column),
                        "advice",
                        column == null
                                ? "Raise the sequence's MAXVALUE (ALTER SEQUENCE ... AS bigint) before it runs out."
                                : "Widen " + column
                                        + " to bigint in a new changeSet (ALTER TABLE ... ALTER COLUMN ... TYPE bigint rewrites the table: plan a window), and ALTER SEQUENCE "
                                        + rows.getString(2) + " AS bigint."));
            }
        }
    }

    private Thresholds.Limit limit(String name) {
        return thresholds.limit(name);
    }

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        sequences(connection, found);
    }
}
