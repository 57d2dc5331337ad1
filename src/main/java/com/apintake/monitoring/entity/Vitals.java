package com.apintake.monitoring.entity;

import java.time.Instant;

/**
 * The key figures of one measurement, from the pool (Payara's monitoring) and from PostgreSQL's
 * statistics views. What feeds the health score, the alert rules, the trends and the gauges. pool is
 * null when Payara's pool monitoring is not available; database is null when no connection could be
 * had (databaseError says why): an unmeasured figure is never taken for a good one.
 */
public record Vitals(Instant at, Pool pool, Database database, String databaseError) {

    /** utilizationPercent = used / max * 100; timeoutsInWindow: requests that got no connection within the recent window. */
    public record Pool(
            int steadyPoolSize,
            int maxPoolSize,
            long used,
            long free,
            long highWaterMark,
            long waitQueueLength,
            long timedOut,
            long timeoutsInWindow,
            long averageWaitMillis,
            long potentialLeaks,
            long failedValidations) {

        public double utilizationPercent() {
            return maxPoolSize == 0 ? 0 : 100.0 * used / maxPoolSize;
        }
    }

    /**
     * Ratios are 0..1 and null when nothing was read yet. meanStatementMillis is the mean over the
     * recent window (null without pg_stat_statements or without calls); xidAgePercent is the age of
     * the oldest unfrozen transaction id as a share of the 2^31 that wraparound allows.
     */
    public record Database(
            Double cacheHitRatio,
            Double tableHitRatio,
            Double indexHitRatio,
            long blocksHit,
            long blocksRead,
            long commits,
            long rollbacks,
            long deadlocks,
            long tempFiles,
            long tempBytes,
            long sizeBytes,
            Instant statsReset,
            long xidAge,
            double xidAgePercent,
            int maxConnections,
            int reservedConnections,
            int connections,
            int activeSessions,
            int idleSessions,
            int idleInTransaction,
            double oldestIdleInTransactionSeconds,
            int blockedSessions,
            Double maxDeadTuplePercent,
            String mostDeadTable,
            boolean statementsAvailable,
            Double meanStatementMillis,
            long statementCalls) {

        public int usableConnections() {
            return maxConnections - reservedConnections;
        }

        /** Share of the usable connection slots still free, 0..100. */
        public double headroomPercent() {
            int usable = usableConnections();
            return usable <= 0 ? 0 : Math.max(0, 100.0 * (usable - connections) / usable);
        }
    }
}
