package com.apintake.backup.boundary;

import com.apintake.backup.control.BackupJobs;
import com.apintake.backup.control.CronSchedule;
import com.apintake.backup.entity.BackupKind;
import com.apintake.platform.control.JobClaims;
import com.apintake.platform.entity.MissedJob;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.ScheduleExpression;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The backup timers: logical backups (daily 02:00, full), the PITR base backup (weekly) and the
 * restore drill of the newest full backup (weekly). Non-persistent calendar timers built from the
 * configuration at start; with several instances each fires, and the advisory lock lets one run.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class BackupSchedule {

    private static final Logger LOG = Logger.getLogger(BackupSchedule.class.getName());
    static final String BACKUP = "backup";
    static final String BASE = "base-backup";
    static final String DRILL = "restore-drill";
    static final String WAL_GUARD = "wal-guard";

    @Resource
    TimerService timers;

    @Inject
    BackupJobs jobs;

    @Inject
    com.apintake.backup.control.WalGuard walGuard;

    /** How often the WAL guard looks at the archive (base backup when none, disk runway alert); 0 is off. */
    @Inject
    @ConfigProperty(name = "apintake.backup.wal-guard.seconds", defaultValue = "300")
    long walGuardSeconds;

    @Inject
    JobClaims claims;

    /** Logical backups every this many seconds instead of apintake.backup.schedule (0: the schedule). */
    @Inject
    @ConfigProperty(name = "apintake.backup.interval-seconds", defaultValue = "0")
    long backupIntervalSeconds;

    @Inject
    @ConfigProperty(name = "apintake.backup.schedule", defaultValue = "0 2 * * *")
    String backupSchedule;

    @Inject
    @ConfigProperty(name = "apintake.backup.schedule.kinds", defaultValue = "full")
    String kinds;

    @Inject
    @ConfigProperty(name = "apintake.backup.base.schedule", defaultValue = "0 3 * * 0")
    String baseSchedule;

    @Inject
    @ConfigProperty(name = "apintake.backup.drill.schedule", defaultValue = "0 4 * * 0")
    String drillSchedule;

    @Inject
    @ConfigProperty(name = "apintake.backup.time-zone")
    Optional<String> timeZone;

    @PostConstruct
    void createTimers() {
        kinds(); // a typo in the kinds fails the deployment, not the first 02:00 run
        if (backupIntervalSeconds > 0) {
            // Aligned to multiples of the interval, so every instance's timer fires on the same due time.
            Duration period = Duration.ofSeconds(backupIntervalSeconds);
            timers.createIntervalTimer(
                    JobClaims.alignedDelay(Instant.now(), period), period.toMillis(), new TimerConfig(BACKUP, false));
        } else {
            create(BACKUP, backupSchedule);
        }
        create(BASE, baseSchedule);
        create(DRILL, drillSchedule);
        if (walGuardSeconds > 0) {
            timers.createIntervalTimer(
                    Duration.ofSeconds(30).toMillis(),
                    Duration.ofSeconds(walGuardSeconds).toMillis(),
                    new TimerConfig(WAL_GUARD, false));
            LOG.info(() -> "WAL guard every " + walGuardSeconds + " s");
        } else {
            LOG.info("WAL guard is off");
        }
    }

    private void create(String job, String cron) {
        Optional<ScheduleExpression> expression = CronSchedule.parse(cron, timeZone);
        if (expression.isEmpty()) {
            LOG.info(() -> "Scheduled " + job + " is off");
            return;
        }
        Timer timer = timers.createCalendarTimer(expression.get(), new TimerConfig(job, false));
        LOG.info(() -> "Scheduled " + job + " '" + cron + "'"
                + timeZone.map(zone -> " " + zone).orElse("") + ", next at " + timer.getNextTimeout());
    }

    @Timeout
    void fire(Timer timer) {
        String job = String.valueOf(timer.getInfo());
        long seconds = BACKUP.equals(job) ? backupIntervalSeconds : WAL_GUARD.equals(job) ? walGuardSeconds : 0;
        try {
            claims.once(
                    job,
                    seconds > 0 ? "every " + seconds + " s" : scheduleText(job),
                    timer,
                    seconds > 0 ? Duration.ofSeconds(seconds) : JobClaims.CALENDAR,
                    () -> runJob(job));
        } catch (RuntimeException e) {
            LOG.info(() -> "Scheduled " + job + " did not succeed (alerted): " + e.getMessage());
        }
    }

    /** A backup, base backup or drill missed while every instance was down (JobCatchUp). */
    public void catchUp(@Observes MissedJob missed) {
        String job = missed.job();
        if (List.of(BACKUP, BASE, DRILL).contains(job)
                && CronSchedule.parse(cron(job), timeZone).isPresent()) {
            try {
                claims.once(missed, () -> runJob(job));
            } catch (RuntimeException e) {
                LOG.info(() -> "Catching up " + job + " did not succeed (alerted): " + e.getMessage());
            }
        }
    }

    private String scheduleText(String job) {
        return cron(job) + timeZone.map(zone -> " " + zone).orElse("");
    }

    private String cron(String job) {
        return BACKUP.equals(job) ? backupSchedule : BASE.equals(job) ? baseSchedule : drillSchedule;
    }

    /** Runs the job here; throws when a part failed (already alerted), so its claim records FAILED. */
    private void runJob(String job) {
        List<String> failed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        switch (job) {
            case BACKUP ->
                kinds().forEach(kind ->
                        run(job + " " + kind.label(), () -> jobs.backup(kind, "schedule"), failed, skipped));
            case BASE -> run(job, () -> jobs.backup(BackupKind.BASE, "schedule"), failed, skipped);
            case WAL_GUARD -> walGuard.check();
            case DRILL ->
                jobs.newestFull()
                        .ifPresentOrElse(
                                newest -> run(job, () -> jobs.verify(newest.id(), "schedule"), failed, skipped),
                                () -> jobs.alert(
                                        "drill",
                                        null,
                                        "no restore drill this week",
                                        "there is no usable full backup to restore"));
            default -> LOG.warning(() -> "Unknown backup timer " + job);
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failed));
        }
        if (!skipped.isEmpty()) {
            throw new JobClaims.Skipped(String.join("; ", skipped));
        }
    }

    /** Runs the job to its end, so the kinds of one schedule run one after another. */
    private void run(
            String job,
            java.util.function.Supplier<BackupJobs.Started> start,
            List<String> failed,
            List<String> skipped) {
        try {
            start.get().done().get();
        } catch (BackupJobs.Refused refused) {
            if (refused.reason() == BackupJobs.Refusal.BUSY) {
                // The previous run is still going (a large database, a loaded machine): by design, not a fault.
                skipped.add(job + ": " + refused.getMessage());
            } else {
                jobs.alert(job, null, "scheduled " + job + " was refused", refused.getMessage());
                failed.add(job + ": " + refused.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.add(job + ": interrupted");
        } catch (Exception e) {
            jobs.alert(job, null, "scheduled " + job + " could not start", String.valueOf(e.getMessage()));
            failed.add(job + ": " + e.getMessage());
        }
    }

    private List<BackupKind> kinds() {
        return Arrays.stream(kinds.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(BackupKind::parse)
                .toList();
    }
}
