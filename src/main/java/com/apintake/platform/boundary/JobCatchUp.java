package com.apintake.platform.boundary;

import com.apintake.platform.control.JobClaims;
import com.apintake.platform.control.Migrations;
import com.apintake.platform.entity.MissedJob;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Catches up calendar jobs (backups, drills, base backups, maintenance) whose due time passed while
 * every instance was down: shortly after start and then every apintake.jobs.catch-up-check-seconds it
 * asks {@link JobClaims#missed} and fires a {@link MissedJob} per missed due time; the owning bean runs
 * the job once, claimed under that due time. Only the newest missed due time of a job is known (the
 * one recorded before the outage), so a job missed several times runs once.
 */
@Singleton
@Startup
@DependsOn("Migrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class JobCatchUp {

    private static final Logger LOG = Logger.getLogger(JobCatchUp.class.getName());

    /** A due time is missed only once its own timer had time to fire and claim it. */
    static final Duration GRACE = Duration.ofMinutes(2);

    @Resource
    TimerService timers;

    @Inject
    Migrations migrations;

    @Inject
    JobClaims claims;

    @Inject
    Event<MissedJob> missed;

    @Inject
    @ConfigProperty(name = "apintake.jobs.catch-up-check-seconds", defaultValue = "300")
    long checkSeconds;

    private final AtomicBoolean running = new AtomicBoolean();

    @PostConstruct
    void start() {
        if (checkSeconds > 0) {
            long interval = checkSeconds * 1000;
            timers.createIntervalTimer(Math.min(interval, 60_000), interval, new TimerConfig("job-catch-up", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void check() {
        if (!migrations.done() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            for (MissedJob job : claims.missed(GRACE)) {
                LOG.info(() -> "Catching up " + job.job() + ", due " + job.due() + " while no instance ran");
                missed.fire(job);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Catching up missed jobs failed; retrying at the next check: " + e.getMessage());
        } finally {
            running.set(false);
        }
    }
}
