package com.apintake.monitoring.control;

import com.apintake.platform.control.JsonBinding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The dashboard's connection figures as a snapshot refreshed off the request path
 * (apintake.monitoring.live-connections-ms, by LiveConnectionsRefresh) instead of per answer. Read per
 * answer, they were the largest part of a dashboard request (43 % of its CPU samples: 13 pool MBean reads,
 * one pooled connection and a pg_stat_activity query) and its only database round trip, the one that waits
 * behind a busy pool or PostgreSQL (docs/request-path-2.md). The answer says how old they are
 * (connectionsAgeSeconds). A snapshot older than apintake.monitoring.live-connections-max-age-ms (the
 * refresh timer starved, or the dashboard was not read for a while) is taken afresh by the call, so the
 * figures are never older than that bound. /api/v1/database/connections stays live.
 */
@ApplicationScoped
public class LiveConnections {

    /** The figures, when they were read, and their JSON text (rendered once per snapshot, not per answer). */
    public record Snapshot(Instant at, ConnectionOverview.Connections connections, String json) {

        public double ageSeconds(Instant now) {
            return Math.max(0, Duration.between(at, now).toMillis()) / 1000.0;
        }
    }

    @Inject
    ConnectionOverview overview;

    /** How often the snapshot is taken while the dashboard is read; 0 reads them live on every answer. */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.live-connections-ms", defaultValue = "1000")
    long refreshMillis;

    /** The oldest snapshot an answer serves; an older one is taken afresh by the call. */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.live-connections-max-age-ms", defaultValue = "5000")
    long maxAgeMillis;

    /** The snapshot is refreshed only while the dashboard was read within this time (as the loop's document). */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.dashboard-keep-seconds", defaultValue = "600")
    long keepSeconds;

    private volatile Snapshot latest;
    private volatile Instant lastRead = Instant.EPOCH;

    /** The figures for one answer: the kept snapshot while it is fresh enough, else read now. */
    public Snapshot current() {
        Instant now = Instant.now();
        lastRead = now;
        Snapshot snapshot = latest;
        if (refreshMillis <= 0) {
            return take();
        }
        if (servable(snapshot == null ? null : snapshot.at(), now, Duration.ofMillis(maxAgeMillis))) {
            return snapshot;
        }
        return takeIfStale(now);
    }

    public long refreshMillis() {
        return refreshMillis;
    }

    /** The timer's tick: a new snapshot while someone reads the dashboard, nothing otherwise. */
    public void refresh() {
        if (refreshMillis <= 0
                || Duration.between(lastRead, Instant.now()).toSeconds() > keepSeconds
                || latest == null) {
            return;
        }
        keep(take());
    }

    /** A snapshot taken at at may be served at now while it is at most maxAge old and not from the future. */
    static boolean servable(Instant at, Instant now, Duration maxAge) {
        return at != null && !at.isAfter(now) && Duration.between(at, now).compareTo(maxAge) <= 0;
    }

    /** One call reads while concurrent ones wait for it and serve its snapshot. */
    private synchronized Snapshot takeIfStale(Instant now) {
        Snapshot current = latest;
        if (servable(current == null ? null : current.at(), now, Duration.ofMillis(maxAgeMillis))) {
            return current;
        }
        Snapshot fresh = take();
        keep(fresh);
        return fresh;
    }

    private Snapshot take() {
        Instant at = Instant.now();
        ConnectionOverview.Connections connections = overview.current();
        return new Snapshot(at, connections, JsonBinding.toJson(connections));
    }

    private synchronized void keep(Snapshot candidate) {
        Snapshot current = latest;
        if (current == null || !candidate.at().isBefore(current.at())) {
            latest = candidate;
        }
    }
}
