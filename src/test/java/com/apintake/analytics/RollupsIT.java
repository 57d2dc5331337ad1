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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every analytics rollup equals the raw aggregation over the facts, on generated history (1,500
 * invoices every 97 minutes from October 2005 to January 2006: across the end of summer time and a year
 * boundary, in the test server's analytics time zone Europe/Berlin, where many invoices fall on a
 * different day than in UTC), loaded with past timestamps and brought in by a rebuild of the period;
 * then again after late changes written as the application writes them (timestamps now()): exceptions
 * resolved and raised, exports sent, workflow moves, a vendor reassigned, a validation added, in a
 * transaction that commits only after a drain has moved the watermark past its timestamps (the safety
 * margin must catch it); and after a deletion, which only a rebuild sees. No other test writes to this
 * period; everything the test leaves behind is in a terminal state (no queue sees it).
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollupsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    static final String ZONE = "Europe/Berlin";
    static final String FROM = "2005-09-20";
    static final String TO = "2006-01-31";

    static final String RAW_CONFIDENCE = """
            SELECT (created_at AT TIME ZONE ?)::date, count(*), avg((confidence_json ->> 'overall')::float),
                   count(*) FILTER (WHERE (confidence_json ->> 'overall')::float < (SELECT min_confidence FROM analytics_settings))
            FROM invoice_extractions
            WHERE (created_at AT TIME ZONE 'Europe/Berlin')::date >= ?::date AND (created_at AT TIME ZONE 'Europe/Berlin')::date < ?::date
            GROUP BY 1 ORDER BY 1""";

    static final String ROLLUP_CONFIDENCE = """
            SELECT day, extractions, confidence_sum / extractions, below_threshold
            FROM analytics_confidence_daily WHERE day >= ?::date AND day < ?::date ORDER BY day""";

    static final String RAW_EXCEPTIONS = """
            WITH raised AS (
                SELECT (created_at AT TIME ZONE 'Europe/Berlin')::date AS day, type, count(*) AS raised,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) / 3600 AS median_hours
                FROM exceptions GROUP BY 1, 2),
            resolved AS (
                SELECT (resolved_at AT TIME ZONE 'Europe/Berlin')::date AS day, type, count(*) AS resolved
                FROM exceptions WHERE resolved GROUP BY 1, 2)
            SELECT coalesce(r.day, s.day) AS day, coalesce(r.type, s.type) AS type, coalesce(r.raised, 0), coalesce(s.resolved, 0),
                   r.median_hours
            FROM raised r FULL JOIN resolved s ON s.day = r.day AND s.type = r.type
            WHERE coalesce(r.day, s.day) >= ?::date AND coalesce(r.day, s.day) < ?::date
            ORDER BY 1, 2""";

    static final String ROLLUP_EXCEPTIONS = """
            SELECT day, type, raised, resolved, median_hours FROM analytics_exceptions_daily
            WHERE day >= ?::date AND day < ?::date ORDER BY day, type""";

    static final String RAW_EXPORTS = """
            SELECT (created_at AT TIME ZONE 'Europe/Berlin')::date, status, count(*) FROM staged_exports
            WHERE (created_at AT TIME ZONE 'Europe/Berlin')::date >= ?::date AND (created_at AT TIME ZONE 'Europe/Berlin')::date < ?::date
            GROUP BY 1, 2 ORDER BY 1, 2""";

    static final String ROLLUP_EXPORTS = """
            SELECT day, status, count FROM analytics_exports_daily WHERE day >= ?::date AND day < ?::date ORDER BY 1, 2""";

    /** The seed's vendor question over [from, to) in Berlin days (rows formatted like the endpoint's). */
    static final String RAW_VENDORS = """
            SELECT vendor_id, count(*), avg(has_exception::int), avg(confidence), avg((NOT has_exception AND reached_approval)::int)
            FROM (SELECT i.vendor_id, (x.confidence_json ->> 'overall')::float AS confidence,
                         EXISTS (SELECT 1 FROM exceptions e WHERE e.invoice_id = i.id) AS has_exception,
                         i.workflow_status IN ('PENDING_APPROVAL', 'APPROVED', 'STAGED', 'EXPORTED') AS reached_approval
                  FROM invoice_extractions x JOIN invoices i ON i.id = x.invoice_id JOIN vendors v ON v.id = i.vendor_id
                  WHERE (x.created_at AT TIME ZONE 'Europe/Berlin')::date >= ?::date
                    AND (x.created_at AT TIME ZONE 'Europe/Berlin')::date < ?::date) p
            GROUP BY vendor_id ORDER BY count(*) DESC, vendor_id""";

    static final String RAW_VALIDATIONS = """
            SELECT rule_code, count(*), count(*) FILTER (WHERE passed) FROM validations
            WHERE (created_at AT TIME ZONE 'Europe/Berlin')::date >= ?::date AND (created_at AT TIME ZONE 'Europe/Berlin')::date < ?::date
            GROUP BY 1 ORDER BY 1""";

    @Test
    @Order(1)
    void rollupsEqualTheRawAggregationsOnGeneratedHistory() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO vendors (name) SELECT 'Rollup Vendor ' || g FROM generate_series(1, 30) g;
                    CREATE TEMP TABLE rollup_invoices AS
                    WITH inserted AS (
                        INSERT INTO invoices (file_hash, content_type, size_bytes, vendor_id, status, workflow_status, created_at)
                        SELECT md5('rollups-it-' || g) || md5('rollups-it/' || g), 'application/xml', 1,
                               CASE WHEN g % 50 <> 0 THEN v.ids[1 + (g * 7) % 30] END, 'PROCESSED',
                               (ARRAY['EXPORTED', 'REJECTED', 'CONFIRMED_DUPLICATE'])[1 + g % 3],
                               timestamptz '2005-10-01 00:00Z' + g * interval '97 minutes'
                        FROM generate_series(1, 1500) g,
                             (SELECT array_agg(id ORDER BY id) AS ids FROM vendors WHERE name LIKE 'Rollup Vendor %') v
                        RETURNING id, created_at, workflow_status)
                    SELECT * FROM inserted;
                    INSERT INTO invoice_extractions (invoice_id, format, confidence_json, created_at)
                    SELECT id, 'UBL', jsonb_build_object('overall', (id * 37 % 100) / 100.0), created_at + interval '1 minute'
                    FROM rollup_invoices;
                    INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                    SELECT id, r, (id + length(r)) % 9 <> 0, created_at + interval '2 minutes'
                    FROM rollup_invoices CROSS JOIN (VALUES ('BR-CO-10'), ('BR-CO-15')) rules(r);
                    INSERT INTO exceptions (invoice_id, type, resolved, resolved_by, resolution, created_at, resolved_at)
                    SELECT id, (ARRAY['LOW_CONFIDENCE', 'UNKNOWN_VENDOR'])[1 + id % 2], id % 10 < 5,
                           CASE WHEN id % 10 < 5 THEN 'rollups-it' END, CASE WHEN id % 10 < 5 THEN 'checked' END,
                           created_at + interval '3 minutes',
                           CASE WHEN id % 10 < 5 THEN created_at + (id % 50) * interval '1 hour' END
                    FROM rollup_invoices WHERE id % 5 = 0;
                    INSERT INTO staged_exports (invoice_id, batch, status, created_at, exported_at)
                    SELECT id, CASE WHEN id % 2 = 0 THEN 'ROLLUPS-IT' END, CASE WHEN id % 2 = 0 THEN 'EXPORTED' ELSE 'PENDING' END,
                           created_at + interval '1 hour', CASE WHEN id % 2 = 0 THEN created_at + interval '1 day' END
                    FROM rollup_invoices WHERE workflow_status = 'EXPORTED';
                    """);
        }
        // History loaded with past timestamps: the drain cannot see it (a first configuration may), a rebuild does.
        rebuild(FROM, TO);
        assertThat(rows(RAW_CONFIDENCE, ZONE, FROM, TO))
                .as("the history falls on other days in UTC than in Berlin, so the zone is tested")
                .isNotEqualTo(rows(RAW_CONFIDENCE, "UTC", FROM, TO));
        assertRollupsEqualRaw();
    }

    @Test
    @Order(2)
    void rollupsFollowLateChangesEvenWhenTheyCommitAfterADrain() throws SQLException {
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.execute("""
                        UPDATE exceptions SET resolved = true, resolved_by = 'rollups-it', resolution = 'late', resolved_at = now()
                        WHERE NOT resolved AND created_at >= '2005-10-01' AND created_at < '2006-02-01';
                        INSERT INTO exceptions (invoice_id, type, resolved, resolved_by, resolution, created_at, resolved_at)
                        SELECT id, 'BANK_ACCOUNT_CHANGE', true, 'rollups-it', 'late', now(), now()
                        FROM invoices WHERE created_at >= '2005-10-01' AND created_at < '2005-10-08' AND id % 3 = 1;
                        UPDATE staged_exports SET status = 'EXPORTED', batch = 'ROLLUPS-IT-LATE', exported_at = now()
                        WHERE status = 'PENDING' AND created_at >= '2005-10-01' AND created_at < '2006-02-01';
                        UPDATE invoices SET workflow_status = 'REJECTED', updated_at = now()
                        WHERE workflow_status = 'EXPORTED' AND id % 4 = 0 AND created_at >= '2005-10-01' AND created_at < '2006-02-01';
                        UPDATE invoices SET vendor_id = (SELECT min(id) FROM vendors WHERE name LIKE 'Rollup Vendor %'), updated_at = now()
                        WHERE id % 11 = 0 AND created_at >= '2005-11-01' AND created_at < '2005-11-15';
                        INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                        SELECT id, 'BR-CO-16', false, now() FROM invoices
                        WHERE created_at >= '2005-12-31' AND created_at < '2006-01-01';
                        """);
            }
            // A drain runs while the changes are uncommitted: it cannot see them and moves the watermark
            // past their timestamps (this transaction's start).
            refresh();
            connection.commit();
        }
        refresh();
        assertRollupsEqualRaw();
        String today = rows("SELECT (now() AT TIME ZONE '" + ZONE + "')::date").get(0);
        String tomorrow = java.time.LocalDate.parse(today).plusDays(1).toString();
        assertThat(validations(today, tomorrow))
                .as("validations written today")
                .contains("BR-CO-16 "
                        + rows("SELECT count(*) FROM validations WHERE rule_code = 'BR-CO-16'")
                                .get(0) + " 0")
                .isEqualTo(rows(RAW_VALIDATIONS, today, tomorrow));
        assertThat(refresh().getJsonNumber("pendingMarks").longValue())
                .as("nothing marked is left when the drain's last batch commits")
                .isZero();
    }

    @Test
    @Order(3)
    void aDeletionNeedsARebuildOfItsDays() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("""
                    DELETE FROM validations WHERE rule_code = 'BR-CO-10'
                      AND created_at >= '2005-10-30 00:00Z' AND created_at < '2005-10-30 03:00Z'""");
        }
        rebuild("2005-10-29", "2005-11-01");
        assertRollupsEqualRaw();
    }

    @Test
    @Order(4)
    void theStatusSaysWhatIsPending() {
        JsonObject status = Http.get(base, "/api/v1/analytics/rollups").json();
        assertThat(status.getString("timeZone")).isEqualTo(ZONE);
        assertThat(status.getJsonNumber("pendingMarks").longValue()).isGreaterThanOrEqualTo(0);
        var refresh = Http.as("nobody", "wrong-password")
                .post(base, "/api/v1/analytics/rollups/refresh", "text/plain", new byte[0]);
        assertThat(refresh.status()).isEqualTo(401);
    }

    /**
     * The answer itself finds what changed (no refresh in between): a fact committed just before the
     * question, and one whose transaction was open while a drain moved the watermark past it (the
     * drain's stored snapshot shows it in progress, so the read-only check before the answer sees it
     * as new).
     */
    @Test
    @Order(5)
    void anAnswerRightAfterACommitIncludesItWithoutARefresh() throws SQLException {
        String today = rows("SELECT (now() AT TIME ZONE '" + ZONE + "')::date").get(0);
        String tomorrow = java.time.LocalDate.parse(today).plusDays(1).toString();
        String insert = """
                INSERT INTO validations (invoice_id, rule_code, passed, created_at)
                SELECT id, '%s', true, now() FROM invoices
                WHERE created_at >= '2005-12-30' AND created_at < '2005-12-31'""";
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.execute(insert.formatted("BR-CO-18"));
            }
            refresh();
            connection.commit();
        }
        assertThat(validations(today, tomorrow))
                .as("committed after a drain that saw its transaction in progress")
                .contains("BR-CO-18 " + count("BR-CO-18") + " " + count("BR-CO-18"));
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute(insert.formatted("BR-CO-19"));
        }
        assertThat(validations(today, tomorrow))
                .as("committed just before the question")
                .contains("BR-CO-19 " + count("BR-CO-19") + " " + count("BR-CO-19"))
                .isEqualTo(rows(RAW_VALIDATIONS, today, tomorrow));
    }

    /**
     * The facts' retention (maintenance drops the oldest month partitions of invoice_extractions and
     * validations) reaches the rollups: the daily maintenance run removes the rollup rows of the days
     * before the first remaining fact. Simulated by deleting all facts (this history's and older test
     * data) before 10:00 UTC on 15 November 2005 (11:00 in Berlin: that day's facts are partly gone, as
     * at a UTC partition bound in another zone). Every answer for a period after the cut is the same as before the purge, and
     * every answer, also for periods reaching back past the cut, equals the raw aggregation over the
     * facts that are left.
     */
    @Test
    @Order(6)
    void theRollupsFollowTheFactsRetentionAndKeptPeriodsAnswerTheSame() throws SQLException {
        String[][] kept = {
            {"2005-11-16", "2005-11-20"},
            {"2005-11-16", "2006-01-01"},
            {"2005-11-20", "2005-12-05"},
            {"2005-12-01", "2006-02-01"},
            {"2005-12-10", TO}
        };
        List<List<String>> before = new ArrayList<>();
        for (String[] period : kept) {
            before.add(vendors(period[0], period[1]));
            before.add(validations(period[0], period[1]));
        }
        assertThat(rows("SELECT count(*) > 0 FROM analytics_vendors_running WHERE day < '2005-11-15'"))
                .containsExactly("true");
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            // Everything older goes, as with a retention: also other tests' older history (AnalyticsIT's week of 2001).
            statement.execute("""
                    DELETE FROM invoice_extractions WHERE created_at < '2005-11-15 10:00Z';
                    DELETE FROM validations WHERE created_at < '2005-11-15 10:00Z'""");
        }
        assertThat(rows("SELECT (min(created_at) AT TIME ZONE '" + ZONE + "')::date FROM invoice_extractions"))
                .as("the first kept day holds this history's facts after 11:00")
                .containsExactly("2005-11-15");
        var run = Http.post(base, "/api/v1/database/maintenance/run?kind=daily", "application/json", new byte[0]);
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        assertThat(run.<JsonObject>json().getJsonArray("actions").getValuesAs(JsonObject.class).stream()
                        .filter(a -> a.getString("target").startsWith("analytics rollup"))
                        .map(a -> a.getString("outcome"))
                        .toList())
                .containsExactly("done");
        for (String table : List.of(
                "analytics_confidence_daily",
                "analytics_vendors_daily",
                "analytics_vendors_running",
                "analytics_validations_daily")) {
            assertThat(rows("SELECT count(*) FROM " + table + " WHERE day < '2005-11-15'"))
                    .as(table)
                    .containsExactly("0");
        }
        List<List<String>> after = new ArrayList<>();
        for (String[] period : kept) {
            after.add(vendors(period[0], period[1]));
            after.add(validations(period[0], period[1]));
        }
        assertThat(after).as("kept periods").isEqualTo(before);
        assertThat(rows(ROLLUP_CONFIDENCE, FROM, TO)).isNotEmpty().isEqualTo(rows(RAW_CONFIDENCE, ZONE, FROM, TO));
        for (String[] period : new String[][] {
            {FROM, TO},
            {"2005-11-15", "2005-11-16"},
            {"2005-11-01", "2006-01-01"},
            {"2005-11-10", "2005-11-20"},
            {"2005-10-01", "2005-11-01"}
        }) {
            assertThat(vendors(period[0], period[1]))
                    .as("vendors from %s to %s", period[0], period[1])
                    .isEqualTo(rows(RAW_VENDORS, period[0], period[1]));
            assertThat(validations(period[0], period[1]))
                    .as("validations from %s to %s", period[0], period[1])
                    .isEqualTo(rows(RAW_VALIDATIONS, period[0], period[1]));
        }
    }

    private List<String> vendors(String from, String to) {
        List<String> answered = new ArrayList<>();
        for (JsonObject v : Http.get(base, "/api/v1/analytics/vendors?from=" + from + "&to=" + to + "&limit=500")
                .<JsonArray>json()
                .getValuesAs(JsonObject.class)) {
            answered.add(String.join(
                    " ",
                    v.get("vendorId").toString(),
                    v.get("invoices").toString(),
                    format(v.getJsonNumber("exceptionRate").doubleValue()),
                    format(v.getJsonNumber("averageConfidence").doubleValue()),
                    format(v.getJsonNumber("autoApprovedShare").doubleValue())));
        }
        return answered;
    }

    private List<String> validations(String from, String to) {
        return Http.get(base, "/api/v1/analytics/validations?from=" + from + "&to=" + to)
                .<JsonArray>json()
                .getValuesAs(JsonObject.class)
                .stream()
                .map(r -> r.getString("rule") + " " + r.get("checks") + " " + r.get("passed"))
                .toList();
    }

    private static String count(String rule) throws SQLException {
        return rows("SELECT count(*) FROM validations WHERE rule_code = '" + rule + "'")
                .get(0);
    }

    private void assertRollupsEqualRaw() throws SQLException {
        assertThat(rows(ROLLUP_CONFIDENCE, FROM, TO)).isNotEmpty().isEqualTo(rows(RAW_CONFIDENCE, ZONE, FROM, TO));
        assertThat(rows(ROLLUP_EXCEPTIONS, FROM, TO)).isNotEmpty().isEqualTo(rows(RAW_EXCEPTIONS, FROM, TO));
        assertThat(rows(ROLLUP_EXPORTS, FROM, TO)).isNotEmpty().isEqualTo(rows(RAW_EXPORTS, FROM, TO));
        // Vendors and validations through the endpoints: periods within a month, across month ends, of whole
        // months, and ending after the last day with data (the vendor answer's month-to-date and before-month slices).
        for (String[] period : new String[][] {
            {FROM, TO},
            {"2005-10-30", "2005-11-02"},
            {"2005-11-01", "2006-01-01"},
            {"2005-11-10", "2005-11-20"},
            {"2005-10-31", "2005-12-02"},
            {"2006-01-05", "2006-03-01"}
        }) {
            String query = "?from=" + period[0] + "&to=" + period[1];
            assertThat(vendors(period[0], period[1]))
                    .as("vendors " + query)
                    .isNotEmpty()
                    .isEqualTo(rows(RAW_VENDORS, period[0], period[1]));
            assertThat(validations(period[0], period[1]))
                    .as("validations " + query)
                    .isEqualTo(rows(RAW_VALIDATIONS, period[0], period[1]));
        }
    }

    private void rebuild(String from, String to) {
        var answer = Http.post(
                base, "/api/v1/analytics/rollups/rebuild?from=" + from + "&to=" + to, "text/plain", new byte[0]);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private JsonObject refresh() {
        var answer = Http.post(base, "/api/v1/analytics/rollups/refresh", "text/plain", new byte[0]);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    /** The rows as "a b c" strings, numbers with 6 decimals, so rollup and raw compare as text. */
    private static List<String> rows(String sql, String... parameters) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            List<String> result = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                int columns = rows.getMetaData().getColumnCount();
                while (rows.next()) {
                    List<String> values = new ArrayList<>();
                    for (int c = 1; c <= columns; c++) {
                        Object value = rows.getObject(c);
                        values.add(
                                value instanceof Double || value instanceof java.math.BigDecimal
                                        ? format(((Number) value).doubleValue())
                                        : String.valueOf(value));
                    }
                    result.add(String.join(" ", values));
                }
            }
            return result;
        }
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }
}
