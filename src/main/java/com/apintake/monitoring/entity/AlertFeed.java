package com.apintake.monitoring.entity;

import java.time.Instant;
import java.util.List;

/**
 * What the dashboard shows of the alerts, provided by the alerts component (a CDI bean implementing
 * this interface). Monitoring defines it so that it does not import the alerts component; without an
 * implementation the dashboard lists no alerts.
 */
public interface AlertFeed {

    /** Open alerts and those resolved since recentSince, newest first, at most limit. */
    List<?> recent(Instant recentSince, int limit);
}
