package com.apintake.backup.control;

import jakarta.ejb.ScheduleExpression;
import java.util.Optional;

/**
 * A schedule written as the five cron fields "minute hour day-of-month month day-of-week"
 * ("0 2 * * *" = daily at 02:00) in an optional time zone, as an EJB calendar expression. "off"
 * switches the job off. EJB accepts the same field syntax as cron: lists, ranges, steps.
 */
public final class CronSchedule {

    private CronSchedule() {}

    public static Optional<ScheduleExpression> parse(String cron, Optional<String> timeZone) {
        String text = cron == null ? "" : cron.strip();
        if (text.isEmpty() || text.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String[] fields = text.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException(
                    "schedule '" + cron + "' needs five fields: minute hour day-of-month month day-of-week, or off");
        }
        for (String field : fields) {
            if (!field.matches("[0-9*,/\\-A-Za-z]+")) {
                throw new IllegalArgumentException("schedule '" + cron + "' has an invalid field '" + field + "'");
            }
        }
        ScheduleExpression expression = new ScheduleExpression()
                .second("0")
                .minute(fields[0])
                .hour(fields[1])
                .dayOfMonth(fields[2])
                .month(fields[3])
                .dayOfWeek(fields[4]);
        timeZone.filter(zone -> !zone.isBlank())
                .ifPresent(zone -> expression.timezone(java.time.ZoneId.of(zone).getId()));
        return Optional.of(expression);
    }
}
