package com.apintake.monitoring.control;

import static com.apintake.monitoring.control.Findings.evidence;
import static com.apintake.monitoring.control.Findings.quote;
import static com.apintake.monitoring.control.Findings.round;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Recommendations of the maintenance topic: tables that need ANALYZE (stale_statistics) or VACUUM
 * (dead_tuples), and the transaction-id age (xid_wraparound), judged by the threshold registry.
 */
@ApplicationScoped
public class MaintenanceRecommendations implements RecommendationTopic {

    /**
     * Tables whose statistics are missing or stale, and tables with many dead rows: from the Liquibase
     * view table_maintenance (004-monitoring-views.sql), the one a DBA reads in psql.
     */
    static final String MAINTENANCE = """
            SELECT schema_name, table_name, live_rows, dead_rows, modified_since_analyze,
                   greatest(last_analyze, last_autoanalyze), greatest(last_vacuum, last_autovacuum)
            FROM table_maintenance
            WHERE live_rows + dead_rows >= ?""";

    @Inject
    @ConfigProperty(name = "apintake.monitoring.maintenance-min-rows", defaultValue = "1000")
    long maintenanceMinRows;

    @Inject
    Thresholds thresholds;

    private void maintenance(Connection connection, List<Recommendation> found) throws SQLException {
        try (var statement = connection.prepareStatement(MAINTENANCE)) {
            statement.setLong(1, maintenanceMinRows);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    String object = rows.getString(1) + "." + rows.getString(2);
                    String qualified = quote(rows.getString(1)) + "." + quote(rows.getString(2));
                    long live = rows.getLong(3);
                    long dead = rows.getLong(4);
                    long modified = rows.getLong(5);
                    Timestamp analyzed = rows.getTimestamp(6);
                    Timestamp vacuumed = rows.getTimestamp(7);
                    double changedPercent = live == 0 ? 100 : 100.0 * modified / live;
                    if (analyzed == null
                            || changedPercent >= limit("stale_statistics").warn()) {
                        found.add(new Recommendation(
                                "needs_analyze",
                                analyzed == null ? "warning" : "info",
                                object,
                                evidence(
                                        "liveRows",
                                        live,
                                        "modifiedSinceAnalyze",
                                        modified,
                                        "modifiedPercent",
                                        round(changedPercent),
                                        "thresholdPercent",
                                        limit("stale_statistics").warn(),
                                        "lastAnalyze",
                                        analyzed == null
                                                ? "never"
                                                : analyzed.toInstant().toString()),
                                "sql",
                                "ANALYZE " + qualified + ";"));
                    }
                    double deadPercent = 100.0 * dead / Math.max(1, live + dead);
                    if (deadPercent >= limit("dead_tuples").warn()) {
                        found.add(
                                new Recommendation(
                                        "needs_vacuum",
                                        limit("dead_tuples").critical(deadPercent) ? "critical" : "warning",
                                        object,
                                        evidence(
                                                "liveRows",
                                                live,
                                                "deadRows",
                                                dead,
                                                "deadPercent",
                                                round(deadPercent),
                                                "thresholdPercent",
                                                limit("dead_tuples").warn(),
                                                "lastVacuum",
                                                vacuumed == null
                                                        ? "never"
                                                        : vacuumed.toInstant().toString()),
                                        "sql",
                                        "VACUUM (ANALYZE) " + qualified
                                                + ";  -- and check why autovacuum lags: long transactions, idle in transaction, storage parameters (table_maintenance view)"));
                    }
                }
            }
        }
    }

    private void xidWraparound(List<Recommendation> found, Vitals vitals) {
        var d = vitals.database();
        if (d == null || !limit("xid_wraparound").warns(d.xidAgePercent())) {
            return;
        }
        found.add(
                new Recommendation(
                        "xid_wraparound",
                        limit("xid_wraparound").critical(d.xidAgePercent()) ? "critical" : "warning",
                        "database",
                        evidence(
                                "xidAge",
                                d.xidAge(),
                                "percentOfLimit",
                                round(d.xidAgePercent()),
                                "thresholdPercent",
                                limit("xid_wraparound").warn()),
                        "sql",
                        "VACUUM (FREEZE, VERBOSE);  -- in this database, off-peak; first end long-running and idle-in-transaction sessions that hold back the xmin horizon"));
    }

    private Thresholds.Limit limit(String name) {
        return thresholds.limit(name);
    }

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        maintenance(connection, found);
        xidWraparound(found, vitals);
    }
}
