package com.apintake.backup.control;

import com.apintake.backup.entity.BackupAlert;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Raises an alert for a failed or refused backup job: always in the log at SEVERE, and as a CDI
 * event ({@link BackupAlert}) that alert sinks observe. A failing observer never hides the alert.
 */
@ApplicationScoped
public class BackupAlerts {

    private static final Logger LOG = Logger.getLogger(BackupAlerts.class.getName());

    @Inject
    Event<BackupAlert> events;

    public void raise(BackupAlert alert) {
        LOG.severe(() -> "BACKUP ALERT: " + alert.summary() + ": " + alert.reason());
        try {
            events.fire(alert);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "An alert sink failed to take the backup alert above", e);
        }
    }
}
