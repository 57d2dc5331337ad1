package com.apintake.maintenance.boundary;

import com.apintake.maintenance.control.MaintenanceRuns;
import com.apintake.platform.control.JobClaims;
import com.apintake.platform.control.Migrations;
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
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The maintenance calendar: weekly (default Sunday 03:00) and daily (default 04:00), in
 * apintake.maintenance.timezone. A schedule is "Sun 03:00" (weekly) or "04:00" (daily); "off"
 * disables it. Runs do not overlap.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class MaintenanceSchedule {

    private static final Logger LOG = Logger.getLogger(MaintenanceSchedule.class.getName());

    @Resource
    TimerService timers;

    @Inject
    MaintenanceRuns runs;

    @Inject
    Migrations migrations;

    @Inject
    JobClaims claims;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.weekly", defaultValue = "Sun 03:00")
    String weekly;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.daily", defaultValue = "04:00")
    String daily;

    @Inject
    @ConfigProperty(name = "apintake.maintenance.timezone", defaultValue = "UTC")
    String timezone;

    @PostConstruct
    void schedule() {
        create("weekly", weekly);
        create("daily", daily);
    }

    private void create(String kind, String when) {
        if (when.isBlank() || when.equalsIgnoreCase("off")) {
            return;
        }
        String[] parts = when.strip().split("\\s+");
        String time = parts[parts.length - 1];
        String[] hourMinute = time.split(":");
        ScheduleExpression expression = new ScheduleExpression()
                .hour(Integer.parseInt(hourMinute[0]))
                .minute(Integer.parseInt(hourMinute[1]))
                .second(0)
                .timezone(timezone);
        expression.dayOfWeek(parts.length > 1 ? parts[0].toLowerCase(Locale.ROOT) : "*");
        timers.createCalendarTimer(expression, new TimerConfig(kind, false));
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void run(Timer timer) {
        if (!migrations.done()) {
            return;
        }
        String kind = String.valueOf(timer.getInfo());
        try {
            claims.once(
                    "maintenance-" + kind, scheduleText(kind), timer, JobClaims.CALENDAR, () -> run(kind, "schedule"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Scheduled " + timer.getInfo() + " maintenance failed", e);
        }
    }

    /** A weekly or daily run missed while every instance was down (JobCatchUp). */
    public void catchUp(@Observes MissedJob missed) {
        String kind = missed.job().replaceFirst("^maintenance-", "");
        if (!missed.job().startsWith("maintenance-") || scheduleText(kind).equalsIgnoreCase("off")) {
            return;
        }
        try {
            claims.once(missed, () -> run(kind, "schedule"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Catching up " + kind + " maintenance failed", e);
        }
    }

    private String scheduleText(String kind) {
        String when = "weekly".equals(kind) ? weekly : daily;
        return when.isBlank() || when.equalsIgnoreCase("off") ? "off" : when + " " + timezone;
    }

    /** weekly or daily, now; one run at a time. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public synchronized MaintenanceRuns.Run run(String kind, String trigger) {
        return "weekly".equals(kind) ? runs.weekly(trigger) : runs.daily(trigger);
    }
}
