package com.apintake.platform.control;

import com.apintake.platform.entity.JobRun;
import com.apintake.platform.entity.MissedJob;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.Timer;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs a scheduled job once per cluster and due time. Every instance keeps its own non-persistent
 * timers (Payara's clustered persistent timers can fire twice or not at all, PLATFORM-NOTES), so each
 * firing first claims its due time in job_runs: INSERT ... ON CONFLICT (job, due_at) DO NOTHING lets
 * exactly one instance win, and the others skip. The claim commits on its own, before the work: most
 * jobs run outside one database transaction (pg_dump, ANALYZE table by table, file moves), so the row
 * is a lease: instance, start and lease_until, then the outcome. A claim that cannot be written
 * because the database is unreachable lets the job run here anyway: every job needs the database and
 * reports its own failure (alert evaluation must still report the outage).
 */
@Stateless
public class JobClaims {

    private static final Logger LOG = Logger.getLogger(JobClaims.class.getName());

    /** Jobs whose last claim could not be written: warned once, not at every firing (the inbox fires every few seconds). */
    private static final java.util.Set<String> UNCLAIMABLE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A calendar timer fires on a whole minute; the due time is that minute. */
    public static final Duration CALENDAR = Duration.ofMinutes(1);

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    ReadSource reads;

    @Inject
    Migrations migrations;

    @Resource
    SessionContext context;

    @Inject
    @ConfigProperty(name = "apintake.instance.name")
    Optional<String> instanceName;

    @Inject
    @ConfigProperty(name = "apintake.jobs.lease-minutes", defaultValue = "360")
    long leaseMinutes;

    @Inject
    @ConfigProperty(name = "apintake.jobs.retention-days", defaultValue = "7")
    long retentionDays;

    /**
     * From a timer: claims the due time this firing stands for (now rounded to the period: a calendar
     * minute, or the interval of an interval timer), records the schedule and the next due time, and
     * runs the work if this instance won. Returns whether it ran here.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean once(String job, String schedule, Timer timer, Duration period, Runnable work) {
        Instant due = due(Instant.now(), period);
        return claimAndRun(job, due, schedule, timer.isCalendarTimer(), nextTimeout(timer), work);
    }

    /**
     * From an observer of a timer-driven event (no Timer at hand): claims now rounded to the period,
     * the next due time one period later, and runs the work if this instance won.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean once(String job, String schedule, Duration period, Runnable work) {
        Instant due = due(Instant.now(), period);
        return claimAndRun(job, due, schedule, false, due.plus(period), work);
    }

    /** A missed due time found by JobCatchUp: runs the work if no instance has claimed it yet. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean once(MissedJob missed, Runnable work) {
        return claimAndRun(missed.job(), missed.due(), null, true, null, work);
    }

    /** Claims the due time and runs the work if this instance won; true when it ran here. */
    private boolean claimAndRun(
            String job, Instant due, String schedule, boolean catchUp, Instant next, Runnable work) {
        if (!migrations.done()) {
            // A timer can fire before this instance has migrated the schema (a member started beside
            // another, ClusterIT saw "relation backups does not exist"): no claim, the next due time runs.
            LOG.info(() -> "Scheduled " + job + " skipped: the schema is not migrated here yet");
            return false;
        }
        return self().claim(job, due, schedule, catchUp, next)
                .map(id -> run(job, id, work))
                .orElse(false);
    }

    private boolean run(String job, long id, Runnable work) {
        try {
            work.run();
            self().finish(id, "SUCCEEDED", null);
            return true;
        } catch (Skipped e) {
            LOG.info(() -> "Scheduled " + job + " skipped: " + e.getMessage());
            self().finish(id, "SKIPPED", e.getMessage());
            return true;
        } catch (RuntimeException e) {
            self().finish(id, "FAILED", String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /**
     * The claim, committed on its own. Empty: another instance has it. -1: not recorded (database
     * unreachable), run anyway.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Optional<Long> claim(String job, Instant due, String schedule, boolean catchUp, Instant next) {
        try (Connection connection = dataSource.getConnection()) {
            if (schedule != null) {
                try (var upsert = connection.prepareStatement(
                        "INSERT INTO job_schedules (job, schedule, catch_up, next_due, updated_by) VALUES (?, ?, ?, ?, ?)"
                                + " ON CONFLICT (job) DO UPDATE SET schedule = excluded.schedule,"
                                + " catch_up = excluded.catch_up, next_due = excluded.next_due,"
                                + " updated_at = now(), updated_by = excluded.updated_by")) {
                    upsert.setString(1, job);
                    upsert.setString(2, schedule);
                    upsert.setBoolean(3, catchUp);
                    upsert.setTimestamp(4, next == null ? null : Timestamp.from(next));
                    upsert.setString(5, instance());
                    upsert.executeUpdate();
                }
            }
            try (var insert = connection.prepareStatement("INSERT INTO job_runs (job, due_at, instance, lease_until)"
                    + " VALUES (?, ?, ?, clock_timestamp() + make_interval(mins => ?))"
                    + " ON CONFLICT ON CONSTRAINT job_runs_once DO NOTHING RETURNING id")) {
                insert.setString(1, job);
                insert.setTimestamp(2, Timestamp.from(due));
                insert.setString(3, instance());
                insert.setInt(4, (int) leaseMinutes);
                try (var rows = insert.executeQuery()) {
                    if (!rows.next()) {
                        LOG.fine(() -> job + " due " + due + " is claimed by another instance");
                        return Optional.empty();
                    }
                    long id = rows.getLong(1);
                    purge(connection, job, due);
                    if (UNCLAIMABLE.remove(job)) {
                        LOG.info(() -> job + " is claimed in job_runs again");
                    }
                    return Optional.of(id);
                }
            }
        } catch (SQLException e) {
            // Before the start-up migration created job_runs, or with the database down.
            Level level = UNCLAIMABLE.add(job) ? Level.WARNING : Level.FINE;
            LOG.log(
                    level,
                    () -> "Could not claim " + job + " due " + due + " (" + e.getMessage()
                            + "); running it here unrecorded until claims work again");
            return Optional.of(-1L);
        }
    }

    /** Old rows of this job, so short-interval jobs (inbox, alerts) do not grow the table without end. */
    private void purge(Connection connection, String job, Instant due) throws SQLException {
        try (var delete = connection.prepareStatement("DELETE FROM job_runs WHERE job = ? AND due_at < ?")) {
            delete.setString(1, job);
            delete.setTimestamp(2, Timestamp.from(due.minus(Duration.ofDays(retentionDays))));
            delete.executeUpdate();
        }
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void finish(long id, String outcome, String detail) {
        if (id < 0) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
                var update = connection.prepareStatement(
                        "UPDATE job_runs SET outcome = ?, detail = ?, finished_at = clock_timestamp() WHERE id = ?")) {
            update.setString(1, outcome);
            update.setString(2, detail == null ? null : detail.substring(0, Math.min(detail.length(), 1000)));
            update.setLong(3, id);
            update.executeUpdate();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Could not record the outcome " + outcome + " of job run " + id, e);
        }
    }

    /**
     * Calendar jobs whose recorded next due time passed more than grace ago and that nobody claimed:
     * every instance was down then (a running instance records the next due time at each firing).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public List<MissedJob> missed(Duration grace) {
        try (Connection connection = dataSource.getConnection();
                var query = connection.prepareStatement("SELECT s.job, s.next_due FROM job_schedules s"
                        + " WHERE s.catch_up AND s.next_due < now() - make_interval(secs => ?)"
                        + " AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job = s.job AND r.due_at = s.next_due)"
                        + " ORDER BY s.next_due")) {
            query.setLong(1, grace.toSeconds());
            try (var rows = query.executeQuery()) {
                List<MissedJob> missed = new ArrayList<>();
                while (rows.next()) {
                    missed.add(new MissedJob(
                            rows.getString("job"), rows.getTimestamp("next_due").toInstant()));
                }
                return missed;
            }
        } catch (SQLException e) {
            throw new DatabaseUnavailable("Reading the job schedules failed", e);
        }
    }

    /**
     * Each job with its schedule, next due time and last run. A read-only list page: it reads the replica
     * when one is in sync (ReadSource); the timers write these rows, so it may be behind by at most the
     * replica's lag threshold. A read-only transaction of its own; joins no JTA transaction.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public List<JobRun> list() {
        try {
            return reads.read(JobClaims::list);
        } catch (SQLException e) {
            throw new DatabaseUnavailable("Reading the job schedules failed", e);
        }
    }

    private static List<JobRun> list(Connection connection) throws SQLException {
        try (var query = connection.prepareStatement(
                        "SELECT s.job, s.schedule, s.catch_up, s.next_due, r.due_at, r.instance, r.started_at,"
                                + " r.finished_at, r.detail,"
                                + " CASE WHEN r.outcome = 'RUNNING' AND r.lease_until < now() THEN 'ABANDONED'"
                                + " ELSE r.outcome END AS outcome"
                                + " FROM job_schedules s LEFT JOIN LATERAL (SELECT * FROM job_runs"
                                + " WHERE job_runs.job = s.job ORDER BY due_at DESC LIMIT 1) r ON true"
                                + " ORDER BY s.job");
                var rows = query.executeQuery()) {
            List<JobRun> jobs = new ArrayList<>();
            while (rows.next()) {
                OffsetDateTime due = rows.getObject("due_at", OffsetDateTime.class);
                jobs.add(new JobRun(
                        rows.getString("job"),
                        rows.getString("schedule"),
                        rows.getBoolean("catch_up"),
                        rows.getObject("next_due", OffsetDateTime.class),
                        due == null
                                ? null
                                : new JobRun.Last(
                                        due,
                                        rows.getString("instance"),
                                        rows.getObject("started_at", OffsetDateTime.class),
                                        rows.getObject("finished_at", OffsetDateTime.class),
                                        rows.getString("outcome"),
                                        rows.getString("detail"))));
            }
            return jobs;
        }
    }

    /** This instance's name in job_runs: apintake.instance.name, else host name and process id. */
    public String instance() {
        return instanceName.filter(name -> !name.isBlank()).orElseGet(JobClaims::defaultInstance);
    }

    private static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /**
     * The due time a firing at now stands for: now rounded to the nearest multiple of the period
     * (counted from the epoch). Instances whose timers fire a little apart agree on it; an interval
     * timer aligned to the period (see {@link #alignedDelay}) fires right on it.
     */
    public static Instant due(Instant now, Duration period) {
        long step = Math.max(1, period.toMillis());
        long millis = now.toEpochMilli();
        return Instant.ofEpochMilli(Math.floorDiv(millis + step / 2, step) * step);
    }

    /** Milliseconds from now to the next multiple of the period, for the first expiry of an interval timer. */
    public static long alignedDelay(Instant now, Duration period) {
        long step = Math.max(1, period.toMillis());
        long delay = step - Math.floorMod(now.toEpochMilli(), step);
        return delay < 1_000 ? delay + step : delay;
    }

    private static Instant nextTimeout(Timer timer) {
        try {
            return timer.getNextTimeout().toInstant();
        } catch (RuntimeException noMore) {
            return null;
        }
    }

    private JobClaims self() {
        return context.getBusinessObject(JobClaims.class);
    }

    /**
     * Thrown by a job's work when it deliberately did nothing at this due time (a backup still running
     * from the previous one): the claim records SKIPPED instead of FAILED, and nothing is alerted.
     */
    public static final class Skipped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Skipped(String reason) {
            super(reason, null, false, false);
        }
    }
}
