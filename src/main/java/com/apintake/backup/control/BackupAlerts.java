package com.apintake.backup.control;

import com.apintake.alerts.entity.AlertCleared;
import com.apintake.alerts.entity.AlertRaised;
import com.apintake.alerts.entity.Severity;
import com.apintake.backup.entity.BackupAlert;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Raises an alert for a failed or refused backup job: always in the log at SEVERE, and through the
 * alert store and its sinks (log, webhook) as the open alert "backup_&lt;kind&gt;", which the next
 * success of that kind resolves. The {@link BackupAlert} CDI event carries the details for any
 * other observer. A failing observer never hides the alert.
 */
@ApplicationScoped
public class BackupAlerts {

    private static final Logger LOG = Logger.getLogger(BackupAlerts.class.getName());

    @Inject
    Event<BackupAlert> events;

    @Inject
    Event<AlertRaised> raised;

    @Inject
    Event<AlertCleared> cleared;

    public void raise(BackupAlert alert) {
        LOG.severe(() -> "BACKUP ALERT: " + alert.summary() + ": " + alert.reason());
        try {
            events.fire(alert);
            raised.fire(new AlertRaised(
                    condition(alert.kind()),
                    Severity.CRITICAL,
                    alert.summary() + ": " + alert.reason(),
                    null,
                    null,
                    "backup"));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "An alert sink failed to take the backup alert above", e);
        }
    }

    /** A job of this kind succeeded: its open alert, if any, is resolved. */
    public void resolved(String kind) {
        try {
            cleared.fire(new AlertCleared(condition(kind), "backup"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Resolving the backup alert of " + kind + " failed", e);
        }
    }

    static String condition(String kind) {
        return "backup_"
                + String.valueOf(kind).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
