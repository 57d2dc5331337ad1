package com.apintake.backup.boundary;

import com.apintake.backup.control.BackupJobs;
import com.apintake.backup.control.CronSchedule;
import com.apintake.backup.entity.BackupKind;
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
import jakarta.inject.Inject;
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
        create(BACKUP, backupSchedule);
        create(BASE, baseSchedule);
        create(DRILL, drillSchedule);
        if (walGuardSeconds > 0) {
            timers.createIntervalTimer(
                    java.time.Duration.ofSeconds(30).toMillis(),
                    java.time.Duration.ofSeconds(walGuardSeconds).toMillis(),
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
        switch (job) {
            case BACKUP -> kinds().forEach(kind -> run(job + " " + kind.label(), () -> jobs.backup(kind, "schedule")));
            case BASE -> run(job, () -> jobs.backup(BackupKind.BASE, "schedule"));
            case WAL_GUARD -> walGuard.check();
            case DRILL ->
                jobs.newestFull()
                        .ifPresentOrElse(
                                newest -> run(job, () -> jobs.verify(newest.id(), "schedule")),
                                () -> jobs.alert(
                                        "drill",
                                        null,
                                        "no restore drill this week",
                                        "there is no usable full backup to restore"));
            default -> LOG.warning(() -> "Unknown backup timer " + job);
        }
    }

    /** Runs the job to its end, so the kinds of one schedule run one after another. */
    private void run(String job, java.util.function.Supplier<BackupJobs.Started> start) {
        try {
            start.get().done().get();
        } catch (BackupJobs.Refused refused) {
            if (refused.reason() == BackupJobs.Refusal.BUSY) {
                LOG.info(() -> "Scheduled " + job + " skipped: " + refused.getMessage());
            } else {
                jobs.alert(job, null, "scheduled " + job + " was refused", refused.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            jobs.alert(job, null, "scheduled " + job + " could not start", String.valueOf(e.getMessage()));
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
