package com.apintake.analytics.boundary;

import com.apintake.analytics.control.Period;
import com.apintake.analytics.control.Rollups;
import com.apintake.platform.control.JobClaims;
import com.apintake.platform.control.Migrations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Brings the analytics rollups up to date every apintake.analytics.rollup-seconds: first makes the
 * stored time zone and threshold the configured ones (a change rebuilds), then finds the days changed
 * since the watermark (minus apintake.analytics.rollup-margin-seconds) and recomputes them in batches
 * until none is left. A non-persistent timer on every instance, claimed once per cluster and due time
 * through JobClaims; the drains also take an advisory lock, so a refresh before an answer and a timer
 * run never recompute the same day at once.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class RollupSchedule {

    private static final Logger LOG = Logger.getLogger(RollupSchedule.class.getName());

    /** Batches per firing: bounds one firing at a few minutes when a rebuild is pending. */
    static final int MAX_ROUNDS = 50;

    @Resource
    TimerService timers;

    @Inject
    Rollups rollups;

    @Inject
    Migrations migrations;

    @Inject
    JobClaims claims;

    /**
     * How far behind the watermark each drain looks again: a transaction that commits within this time
     * of taking its timestamps (now(), its start) is still seen.
     */
    @Inject
    @ConfigProperty(name = "apintake.analytics.rollup-margin-seconds", defaultValue = "60")
    long marginSeconds;

    @Inject
    @ConfigProperty(name = "apintake.analytics.rollup-seconds", defaultValue = "10")
    long intervalSeconds;

    @Inject
    @ConfigProperty(name = "apintake.analytics.rollup-batch-days", defaultValue = "100")
    int batchDays;

    /**
     * Time budget of one drain transaction: it recomputes marked topic-days one by one until this is
     * spent (or rollup-batch-days are done), so a batch stays well inside the pool's leak timeouts at
     * any data size.
     */
    @Inject
    @ConfigProperty(name = "apintake.analytics.rollup-batch-seconds", defaultValue = "5")
    long batchSeconds;

    @Inject
    @ConfigProperty(name = "apintake.analytics.time-zone", defaultValue = "UTC")
    String timeZone;

    @Inject
    @ConfigProperty(name = "apintake.validation.min-confidence", defaultValue = "0.8")
    double minConfidence;

    private volatile boolean configured;

    @PostConstruct
    void schedule() {
        ZoneId.of(timeZone); // a wrong zone stops the deployment instead of every rollup run
        if (intervalSeconds > 0) {
            timers.createIntervalTimer(
                    intervalSeconds * 1000, intervalSeconds * 1000, new TimerConfig("analytics-rollups", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void tick(Timer timer) {
        if (!migrations.done()) {
            return;
        }
        try {
            claims.once(
                    "analytics-rollups",
                    "every " + intervalSeconds + " s",
                    timer,
                    Duration.ofSeconds(intervalSeconds),
                    () -> refresh(false));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Analytics rollup refresh failed; the marked days stay marked", e);
        }
    }

    /**
     * Before an answer: one read-only check whether anything was committed since the last scan (or is
     * marked); only then finds and recomputes it (up to MAX_ROUNDS batches, queued behind a drain in
     * progress), so the answer counts every fact committed before the question. While a rebuild has
     * more pending, answers lag (GET /api/v1/analytics/rollups).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void catchUp() {
        configure();
        Duration margin = Duration.ofSeconds(marginSeconds);
        if (rollups.anythingNew(margin)) {
            rollups.drainAll(batchDays, budget(), MAX_ROUNDS, margin);
        }
    }

    /**
     * Marks every day of the period and recomputes (up to MAX_ROUNDS batches now, the rest by the
     * timer): after facts were loaded with past timestamps or deleted, which the drain cannot see.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Rollups.Drained rebuild(Period period) {
        configure();
        rollups.mark(period);
        return rollups.drainAll(batchDays, budget(), MAX_ROUNDS, Duration.ofSeconds(marginSeconds));
    }

    private Duration budget() {
        return Duration.ofSeconds(batchSeconds);
    }

    private void configure() {
        if (!configured) {
            if (rollups.configure(ZoneId.of(timeZone), minConfidence)) {
                LOG.info("Analytics rollups rebuild for time zone " + timeZone + " and threshold " + minConfidence);
            }
            configured = true;
        }
    }

    /**
     * Configures and drains now. With wait, queues behind a drain in progress, so everything committed
     * before the call is in the rollups when it returns (unless more than MAX_ROUNDS batches were marked).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Rollups.Drained refresh(boolean wait) {
        configure();
        Duration margin = Duration.ofSeconds(marginSeconds);
        if (!wait) {
            var first = rollups.drain(batchDays, budget(), false, margin);
            if (first.pendingMarks() <= 0) {
                return first;
            }
            var rest = rollups.drainAll(batchDays, budget(), MAX_ROUNDS - 1, null);
            return new Rollups.Drained(first.days() + rest.days(), rest.pendingMarks());
        }
        return rollups.drainAll(batchDays, budget(), MAX_ROUNDS, margin);
    }
}
