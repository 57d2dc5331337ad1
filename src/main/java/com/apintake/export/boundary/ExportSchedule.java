package com.apintake.export.boundary;

import com.apintake.export.control.ExportBatch;
import com.apintake.platform.control.JobClaims;
import com.apintake.security.control.Caller;
import com.apintake.security.entity.Roles;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
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
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Runs the export every apintake.export.interval-seconds (0 turns it off). */
@Singleton
@Startup
public class ExportSchedule {

    private static final Logger LOG = Logger.getLogger(ExportSchedule.class.getName());

    @Resource
    TimerService timers;

    @Inject
    ExportBatch exportBatch;

    @Inject
    Caller caller;

    @Inject
    JobClaims claims;

    @Inject
    @ConfigProperty(name = "apintake.export.interval-seconds", defaultValue = "300")
    long intervalSeconds;

    @PostConstruct
    void schedule() {
        if (intervalSeconds > 0) {
            timers.createIntervalTimer(
                    intervalSeconds * 1000, intervalSeconds * 1000, new TimerConfig("export", false));
        }
    }

    @Timeout
    // The batch runs in this container transaction: Payara enlists a connection only in the transaction
    // of the EJB invocation, so under NOT_SUPPORTED ExportBatch.run would write in autocommit and the
    // per-transaction database role could not hold. A failed batch rolls back and leaves the rows PENDING.
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    void export(Timer timer) {
        try {
            claims.once(
                    "export",
                    "every " + intervalSeconds + " s",
                    timer,
                    Duration.ofSeconds(intervalSeconds),
                    () -> caller.runAs("export-schedule", Set.of(Roles.APPROVER), exportBatch::run));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Scheduled export failed; the invoices stay PENDING for the next run", e);
        }
    }
}
