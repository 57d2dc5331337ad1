package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.platform.control.Refused;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class ExplainChecksTest {

    @Test
    void aSingleSelectPassesWithItsTrailingSemicolonRemoved() {
        assertThat(SingleSelect.of("  SELECT 1;  ", false)).isEqualTo("SELECT 1");
        assertThat(SingleSelect.of("with x as (select 1) select * from x", false))
                .isEqualTo("with x as (select 1) select * from x");
        assertThat(SingleSelect.of("-- why\nSELECT ';' AS a, $$;$$ AS b, \"a;b\" FROM t /* ; */", false))
                .startsWith("-- why");
    }

    @Test
    void writesSeveralStatementsAndTricksAreRefused() {
        assertRefused("DELETE FROM invoices", "starts with DELETE");
        assertRefused("SELECT 1; DELETE FROM invoices", "several");
        assertRefused("SELECT 1; -- fine\n DROP TABLE x", "several");
        assertRefused("/* SELECT */ UPDATE t SET a = 1", "starts with UPDATE");
        assertRefused("EXPLAIN ANALYZE DELETE FROM t", "starts with EXPLAIN");
        assertRefused("SELECT 'unterminated", "unterminated");
        assertRefused("SELECT $x$ never closed", "unterminated");
        assertRefused("", "required");
        assertRefused("-- only a comment", "nothing but comments");
    }

    @Test
    void analyzeRefusesFunctionsThatActOutsideTheTransaction() {
        assertThat(SingleSelect.of("SELECT pg_terminate_backend(42)", false)).isNotBlank();
        assertThatThrownBy(() -> SingleSelect.of("SELECT pg_terminate_backend(42)", true))
                .isInstanceOf(Refused.class)
                .hasMessageContaining("outside the transaction");
        assertThatThrownBy(() -> SingleSelect.of("select nextval ('s')", true)).isInstanceOf(Refused.class);
        assertThat(SingleSelect.of("SELECT 'pg_sleep(5)' AS text_only", true)).isNotBlank();
    }

    @Test
    void aSelectiveSequentialScanYieldsEqualityColumnsThenOneRangeColumn() {
        JsonArray plan = json("""
                [{"Plan": {"Node Type": "Limit", "Plan Rows": 10, "Plans": [
                  {"Node Type": "Seq Scan", "Relation Name": "invoices", "Alias": "invoices", "Plan Rows": 12,
                   "Filter": "(((status)::text = 'HELD'::text) AND (received_at > '2026-01-01'::date) AND (vendor_id = 7))"}]}}]""");
        var scans = SeqScanAdvice.filteredScans(plan);
        assertThat(scans).hasSize(1);
        var scan = scans.get(0);
        assertThat(scan.relation()).isEqualTo("invoices");
        assertThat(scan.rows()).isEqualTo(12);
        assertThat(scan.actual()).isFalse();
        assertThat(scan.indexColumns()).containsExactly("status", "vendor_id", "received_at");
        assertThat(SeqScanAdvice.changeSet("public", "invoices", scan.indexColumns(), "why"))
                .contains("--changeset ap-intake:idx-invoices-status-vendor-id-received-at runInTransaction:false")
                .contains(
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_status_vendor_id_received_at ON public.invoices (status, vendor_id, received_at);")
                .contains(
                        "--rollback DROP INDEX CONCURRENTLY IF EXISTS public.idx_invoices_status_vendor_id_received_at;");
    }

    @Test
    void underAnalyzeTheActualRowsCount() {
        JsonArray plan = json("""
                [{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Plan Rows": 500, "Actual Rows": 3,
                  "Filter": "(code = 42)"}}]""");
        var scan = SeqScanAdvice.filteredScans(plan).get(0);
        assertThat(scan.actual()).isTrue();
        assertThat(scan.rows()).isEqualTo(3);
        assertThat(scan.indexColumns()).containsExactly("code");
    }

    private static void assertRefused(String query, String reason) {
        assertThatThrownBy(() -> SingleSelect.of(query, false))
                .isInstanceOf(Refused.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((Refused) e).reason()).isEqualTo(Refused.Reason.INVALID));
    }

    private static JsonArray json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readArray();
        }
    }

    @Test
    void aStatementKeptWithItsPrepareTextIsPlannedAsItsInnerQuery() {
        assertThat(Explain.withoutPrepare("PREPARE apintake_slow_query_explain AS SELECT pg_sleep($1)"))
                .isEqualTo("SELECT pg_sleep($1)");
        assertThat(Explain.withoutPrepare("prepare s (int, text) as\n select * from t where a = $1"))
                .isEqualTo("select * from t where a = $1");
        assertThat(Explain.withoutPrepare("SELECT 'PREPARE x AS' FROM t")).isEqualTo("SELECT 'PREPARE x AS' FROM t");
        assertThatThrownBy(() -> SingleSelect.of(Explain.withoutPrepare("PREPARE d AS DELETE FROM t"), false))
                .isInstanceOf(Refused.class)
                .hasMessageContaining("starts with DELETE");
    }
}
