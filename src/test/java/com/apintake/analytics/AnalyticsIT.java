package com.apintake.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each analytics answer is checked against a small, hand-made week of AP history (March 2001, a
 * period no other test writes to), and each answer must cost exactly one reading SQL statement on the AP
 * tables and their rollups, as counted by pg_stat_statements, besides the drain that brings the rollups
 * up to date before it (its statements touch analytics_settings and analytics_dirty_days). The week is
 * loaded with past timestamps, so the rollups of its days are rebuilt before each test (RollupsIT
 * proves them equal to the raw aggregations).
 */
@ExtendWith(ArquillianExtension.class)
class AnalyticsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    static final String WEEK = "from=2001-03-01&to=2001-03-08";
    static long vendor;

    @BeforeAll
    static void aWeekOfHistory() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            try (var rows = statement.executeQuery("SELECT count(*) FROM invoices WHERE created_at < '2002-01-01'")) {
                rows.next();
                if (rows.getLong(1) > 0) {
                    try (var v = statement.executeQuery("SELECT id FROM vendors WHERE name = 'Analytics Week GmbH'")) {
                        v.next();
                        vendor = v.getLong(1);
                    }
                    return;
                }
            }
            try (var rows =
                    statement.executeQuery("INSERT INTO vendors (name) VALUES ('Analytics Week GmbH') RETURNING id")) {
                rows.next();
                vendor = rows.getLong(1);
            }
            // Three invoices on 1 and 2 March: confidences 0.9, 0.5, 0.7; the second raised an
            // exception resolved after 2 hours; the first two are exported, the third is pending approval.
            statement.execute("""
                    INSERT INTO invoices (file_hash, content_type, size_bytes, vendor_id, status, workflow_status, created_at)
                    VALUES (repeat('1', 64), 'application/xml', 1, %1$d, 'PROCESSED', 'EXPORTED', '2001-03-01 09:00Z'),
                           (repeat('2', 64), 'application/xml', 1, %1$d, 'PROCESSED', 'EXPORTED', '2001-03-01 10:00Z'),
                           (repeat('3', 64), 'application/xml', 1, %1$d, 'PROCESSED', 'PENDING_APPROVAL', '2001-03-02 11:00Z');
                    INSERT INTO invoice_extractions (invoice_id, format, confidence_json, created_at)
                    SELECT id, 'UBL', jsonb_build_object('overall', CASE file_hash WHEN repeat('1', 64) THEN 0.9
                           WHEN repeat('2', 64) THEN 0.5 ELSE 0.7 END), created_at
                    FROM invoices WHERE vendor_id = %1$d;
                    INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                    SELECT id, r, NOT (r = 'BR-CO-15' AND file_hash = repeat('2', 64)), created_at
                    FROM invoices CROSS JOIN (VALUES ('BR-CO-10'), ('BR-CO-15')) rules(r) WHERE vendor_id = %1$d;
                    INSERT INTO exceptions (invoice_id, type, resolved, resolved_by, resolution, created_at, resolved_at)
                    SELECT id, 'VALIDATION_FAILED', true, 'anna', 'corrected', created_at, created_at + interval '2 hours'
                    FROM invoices WHERE file_hash = repeat('2', 64);
                    INSERT INTO staged_exports (invoice_id, batch, status, created_at, exported_at)
                    SELECT id, 'B-2001', 'EXPORTED', created_at, created_at + interval '1 day'
                    FROM invoices WHERE vendor_id = %1$d AND workflow_status = 'EXPORTED';
                    """.formatted(vendor));
        }
    }

    @BeforeEach
    void rollupsUpToDate() {
        assertThat(Http.post(
                                base,
                                "/api/v1/analytics/rollups/rebuild?from=2001-03-01&to=2001-03-08",
                                "text/plain",
                                new byte[0])
                        .status())
                .isEqualTo(200);
    }

    @Test
    void dailyConfidence() {
        JsonArray days = Http.get(base, "/api/v1/analytics/extraction-confidence?" + WEEK)
                .json();
        assertThat(days).hasSize(2);
        JsonObject first = days.getJsonObject(0);
        assertThat(first.getString("day")).isEqualTo("2001-03-01");
        assertThat(first.getJsonNumber("extractions").longValue()).isEqualTo(2);
        assertThat(first.getJsonNumber("averageConfidence").doubleValue())
                .isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(first.getJsonNumber("belowThreshold").longValue())
                .as("0.5 is below the 0.8 threshold, 0.9 is not")
                .isEqualTo(1);
    }

    @Test
    void exceptionsRaisedAndResolvedWithTheMedianTime() {
        JsonArray days = Http.get(base, "/api/v1/analytics/exceptions?" + WEEK).json();
        assertThat(days).hasSize(1);
        JsonObject day = days.getJsonObject(0);
        assertThat(day.getString("type")).isEqualTo("VALIDATION_FAILED");
        assertThat(day.getJsonNumber("raised").longValue()).isEqualTo(1);
        assertThat(day.getJsonNumber("resolved").longValue()).isEqualTo(1);
        assertThat(day.getJsonNumber("medianHoursToResolve").doubleValue()).isEqualTo(2.0);
    }

    @Test
    void vendorFigures() {
        JsonArray vendors = Http.get(base, "/api/v1/analytics/vendors?" + WEEK + "&limit=10")
                .json();
        JsonObject week = vendors.getValuesAs(JsonObject.class).stream()
                .filter(v -> v.getJsonNumber("vendorId").longValue() == vendor)
                .findFirst()
                .orElseThrow();
        assertThat(week.getJsonNumber("invoices").longValue()).isEqualTo(3);
        assertThat(week.getJsonNumber("exceptionRate").doubleValue())
                .isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(week.getJsonNumber("averageConfidence").doubleValue())
                .isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(week.getJsonNumber("autoApprovedShare").doubleValue())
                .isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void passRatePerRule() {
        JsonArray rules =
                Http.get(base, "/api/v1/analytics/validations?" + WEEK).json();
        assertThat(rules.getValuesAs(JsonObject.class))
                .extracting(r -> r.getString("rule") + " " + r.getInt("checks") + " " + r.getInt("passed"))
                .containsExactly("BR-CO-10 3 3", "BR-CO-15 3 2");
    }

    @Test
    void exportsPerStatusAndDay() {
        JsonArray days = Http.get(base, "/api/v1/analytics/exports?" + WEEK).json();
        assertThat(days.getValuesAs(JsonObject.class))
                .extracting(d -> d.getString("day") + " " + d.getString("status") + " " + d.getInt("count"))
                .containsExactly("2001-03-01 EXPORTED 2");
    }

    @Test
    void everyQuestionIsOneStatement() throws Exception {
        for (String path : List.of("extraction-confidence", "exceptions", "vendors", "validations", "exports")) {
            assertThat(statementsFor("/api/v1/analytics/" + path + "?" + WEEK))
                    .as(path)
                    .isEqualTo(1);
        }
    }

    @Test
    void boundsAreRequired() {
        for (String query : List.of(
                "",
                "?from=2001-03-01",
                "?from=2001-03-08&to=2001-03-01",
                "?from=2001-01-01&to=2003-01-01",
                "?from=yesterday&to=today")) {
            var answer = Http.get(base, "/api/v1/analytics/validations" + query);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/problem+json");
        }
    }

    /**
     * Statements on the AP tables that one request cost, from pg_stat_statements (never reset): the
     * smallest of three measurements, so a background timer running at the same moment cannot count.
     */
    private long statementsFor(String path) throws Exception {
        long fewest = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = apTableCalls();
            assertThat(Http.get(base, path).status()).isEqualTo(200);
            fewest = Math.min(fewest, apTableCalls() - before);
        }
        return fewest;
    }

    private static long apTableCalls() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("""
                        SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND query ~* '\\m(invoices|invoice_extractions|validations|exceptions|staged_exports|vendors|analytics_[a-z_]+)\\M'
                          AND query !~* 'pg_stat_statements|\\mpg_[a-z_]+\\('
                          AND query ~* '^\\s*(SELECT|WITH)' AND query !~* 'analytics_(settings|dirty_days)'""")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
