package com.apintake.analytics.boundary;

import com.apintake.analytics.control.Rollups;
import com.apintake.platform.control.Migrations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Brings the analytics rollups up to date every apintake.analytics.rollup-seconds: first makes the
 * stored time zone and threshold the configured ones (a change rebuilds), then recomputes the marked
 * days in batches until none is left. A non-persistent timer on every instance; the drains take an
 * advisory lock, so instances never recompute the same day at once.
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
    @ConfigProperty(name = "apintake.analytics.rollup-seconds", defaultValue = "10")
    long intervalSeconds;

    @Inject
    @ConfigProperty(name = "apintake.analytics.rollup-batch-days", defaultValue = "100")
    int batchDays;

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
    void tick() {
        if (!migrations.done()) {
            return;
        }
        try {
            refresh(false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Analytics rollup refresh failed; the marked days stay marked", e);
        }
    }

    /**
     * Configures and drains now. With wait, queues behind a drain in progress, so everything committed
     * before the call is in the rollups when it returns (unless more than MAX_ROUNDS batches were marked).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int refresh(boolean wait) {
        if (!configured) {
            if (rollups.configure(ZoneId.of(timeZone), minConfidence)) {
                LOG.info("Analytics rollups rebuild for time zone " + timeZone + " and threshold " + minConfidence);
            }
            configured = true;
        }
        if (!wait) {
            var first = rollups.drain(batchDays, false);
            if (first.pendingMarks() <= 0) {
                return first.days();
            }
            return first.days() + rollups.drainAll(batchDays, MAX_ROUNDS - 1);
        }
        return rollups.drainAll(batchDays, MAX_ROUNDS);
    }
}
