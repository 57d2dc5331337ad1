package com.apintake.intake.boundary;

import com.apintake.intake.control.Intake;
import com.apintake.intake.control.IntakeQueue;
import com.apintake.intake.control.Registration;
import com.apintake.platform.control.Unavailability;
import com.apintake.security.control.Caller;
import com.apintake.security.entity.Roles;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/**
 * The workers of the intake queue: up to apintake.intake.workers drain the queue at once, each taking
 * one job after another until none is left, on the container's managed executor (each drain a task of
 * its own, on a thread of its own). A drain starts when an upload is queued and at every poll, which runs
 * on the container's managed scheduled executor and also catches jobs whose lease expired because their
 * worker died. Queue depth and the age of the oldest job are gauges, refreshed at every poll.
 *
 * <p>Not the managed scheduled executor for the drains: Payara declares its default one with a core pool
 * size of 0, which a scheduled pool turns into exactly one thread, so the four workers took their turns on
 * it. The default managed executor has the same core size but hands each task to a thread of its own (up
 * to its maximum of 200); the drains are bounded by apintake.intake.workers here (docs/intake-workers.md).
 * Not a thread pool of our own on the container's thread factory either: a thread made while an inbox
 * timer (an EJB) queued a file ran its transactions without the container's transaction context.
 */
@ApplicationScoped
public class IntakeWorkers {

    private static final Logger LOG = Logger.getLogger(IntakeWorkers.class.getName());

    @Resource
    ManagedScheduledExecutorService executor;

    @Resource
    ManagedExecutorService drains;

    @Inject
    IntakeQueue queue;

    @Inject
    Intake intake;

    @Inject
    Caller caller;

    @Inject
    @ConfigProperty(name = "apintake.intake.workers", defaultValue = "4")
    int workers;

    @Inject
    @ConfigProperty(name = "apintake.intake.lease-seconds", defaultValue = "60")
    double leaseSeconds;

    @Inject
    @ConfigProperty(name = "apintake.intake.max-attempts", defaultValue = "5")
    int maxAttempts;

    @Inject
    @ConfigProperty(name = "apintake.intake.poll-seconds", defaultValue = "1")
    double pollSeconds;

    /** Names this instance's leases in intake_jobs.leased_by: which process held a job. */
    private final String name = "worker-" + ProcessHandle.current().pid() + "-"
            + UUID.randomUUID().toString().substring(0, 8);

    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> poll;
    private volatile IntakeQueue.Backlog backlog = new IntakeQueue.Backlog(0, 0);

    /*
     * Started with the web application, not from the Migrations.Applied event: tasks scheduled from
     * that (bean-managed EJB) context got connections that were not enlisted in their @Transactional
     * transactions. Until the schema exists, polls fail quietly and are repeated.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object application) {
        if (workers <= 0) {
            LOG.info("Intake workers are off (apintake.intake.workers=0): queued invoices wait");
            return;
        }
        long period = Math.max(100, (long) (pollSeconds * 1000));
        poll = executor.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.MILLISECONDS);
        LOG.info(() ->
                workers + " intake workers (" + name + "), lease " + leaseSeconds + " s, poll " + pollSeconds + " s");
    }

    void queued(@Observes Intake.Queued queued) {
        if (poll != null) {
            startDrain();
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        if (poll != null) {
            poll.cancel(false);
        }
    }

    @Gauge(
            name = "intake_queue_depth",
            unit = MetricUnits.NONE,
            absolute = true,
            description = "Invoices stored and waiting in the intake queue to be extracted and validated")
    public long depth() {
        return backlog.depth();
    }

    @Gauge(
            name = "intake_queue_oldest_job_age",
            unit = MetricUnits.SECONDS,
            absolute = true,
            description = "Age of the oldest job in the intake queue; 0 when it is empty")
    public double oldestJobAge() {
        return backlog.oldestSeconds();
    }

    private void poll() {
        try {
            backlog = queue.backlog();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Intake queue not readable now", e);
            return;
        }
        for (long i = Math.min(workers, backlog.depth()); i > 0; i--) {
            startDrain();
        }
    }

    private void startDrain() {
        if (stopped || active.incrementAndGet() > workers) {
            active.decrementAndGet();
            return;
        }
        try {
            drains.execute(this::drain);
        } catch (RejectedExecutionException e) {
            active.decrementAndGet();
        }
    }

    private void drain() {
        try {
            caller.runAs("intake-worker", Set.of(Roles.CLERK), () -> {
                while (!stopped) {
                    Optional<IntakeQueue.Job> job = queue.take(name, leaseSeconds, maxAttempts);
                    if (job.isEmpty()) {
                        return null;
                    }
                    work(job.get());
                }
                return null;
            });
        } catch (RuntimeException e) {
            // The database is away or the queue is unreadable: the next poll tries again.
            LOG.log(Unavailability.isOutage(e) ? Level.FINE : Level.WARNING, "Intake worker stopped: " + e, e);
        } finally {
            active.decrementAndGet();
        }
    }

    private void work(IntakeQueue.Job job) {
        try {
            intake.process(job);
        } catch (Registration.LeaseLost e) {
            LOG.warning(e.getMessage() + "; nothing was written by this attempt");
        } catch (RuntimeException e) {
            if (Unavailability.isOutage(e)) {
                throw e;
            }
            LOG.log(Level.WARNING, "Intake job " + job.id() + " (invoice " + job.invoiceId() + ") failed", e);
            queue.failed(job, e.toString());
        }
    }
}
