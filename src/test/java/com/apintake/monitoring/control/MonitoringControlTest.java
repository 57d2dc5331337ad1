package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class MonitoringControlTest {

    @Test
    void payarasSlowSqlMessageIsParsedWithItsCallSite() {
        var record = new LogRecord(
                Level.WARNING,
                "SQL Query Exceeded Threshold Time: 500(ms): Time Taken: 1503(ms)\nQuery was SELECT taken_at FROM monitoring_snapshots;");
        var trace = new Exception("Stack Trace shows code path to SQL");
        trace.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("com.sun.gjc.spi.base.PreparedStatementWrapper", "executeQuery", "X.java", 10),
            new StackTraceElement("com.apintake.monitoring.control.Trends", "series", "Trends.java", 42),
            new StackTraceElement(
                    "com.apintake.monitoring.boundary.DatabaseResource", "trends", "DatabaseResource.java", 7)
        });
        record.setThrown(trace);
        var entry = SlowSqlLog.parse(record);
        assertThat(entry.thresholdMillis()).isEqualTo(500);
        assertThat(entry.tookMillis()).isEqualTo(1503);
        assertThat(entry.sql()).isEqualTo("SELECT taken_at FROM monitoring_snapshots;");
        assertThat(entry.callSite()).isEqualTo("com.apintake.monitoring.control.Trends.series(Trends.java:42)");
        assertThat(SlowSqlLog.parse(new LogRecord(Level.INFO, "something else")))
                .isNull();
    }

    @Test
    void theP95IsTheMeanBelowWhich95PercentOfTheCallsFall() {
        var time = DatabaseMetrics.statementTime(
                List.of(new double[] {90, 1.0}, new double[] {6, 50.0}, new double[] {4, 900.0}), null);
        assertThat(time.calls()).isEqualTo(100);
        assertThat(time.meanMillis()).isEqualTo((90 * 1.0 + 6 * 50 + 4 * 900) / 100);
        assertThat(time.p95Millis()).isEqualTo(50.0);
        assertThat(DatabaseMetrics.statementTime(List.of(), 3.0).p95Millis()).isNull();
    }

    @Test
    void indexFixesAreChangeSetsThatBuildConcurrently() {
        assertThat(IndexRecommendations.concurrently("CREATE UNIQUE INDEX u ON public.t USING btree (a)"))
                .isEqualTo("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON public.t USING btree (a)");
        String changeSet = IndexRecommendations.dropIndexChangeSet(
                "public", "idx_t_a", "CREATE INDEX idx_t_a ON public.t USING btree (a)", "unused");
        assertThat(changeSet)
                .startsWith("--changeset ap-intake:drop-idx-t-a runInTransaction:false\n")
                .contains("DROP INDEX CONCURRENTLY IF EXISTS public.idx_t_a;\n")
                .endsWith("--rollback CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_t_a ON public.t USING btree (a);\n");
        assertThat(IndexRecommendations.quote("Mixed")).isEqualTo("\"Mixed\"");
        assertThat(IndexRecommendations.equalityColumns(
                        "SELECT * FROM t WHERE vendor_id = $1 AND status = $2 AND x > $3"))
                .containsExactly("vendor_id", "status");
    }
}
