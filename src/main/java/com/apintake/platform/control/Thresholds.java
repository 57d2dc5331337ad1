package com.apintake.platform.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.NoSuchElementException;
import org.eclipse.microprofile.config.Config;

/**
 * The one registry of named thresholds: the health score, the alert rules, the recommendations and
 * the Prometheus rules (server-config/prometheus/ap-intake.rules.yml) judge a figure by the same pair
 * of numbers. Each entry is overridden with MicroProfile Config keys apintake.threshold.&lt;name&gt;.warn
 * and .crit; docs/monitoring.md lists every entry with its default and the reason for it.
 */
@ApplicationScoped
public class Thresholds {

    /**
     * A named threshold: warn is where a figure starts to matter, crit where it is an incident. For
     * most figures more is worse; where crit lies below warn (ratios, headroom, the score) less is worse.
     */
    public record Limit(String name, String unit, double warn, double crit, String why) {

        public Limit {
            if (warn == crit) {
                throw new IllegalArgumentException("warn and crit of " + name + " must differ");
            }
        }

        public boolean higherIsWorse() {
            return crit > warn;
        }

        /** More-is-worse figures warn at warn or above; less-is-worse ones below warn. */
        public boolean warns(double value) {
            return higherIsWorse() ? value >= warn : value < warn;
        }

        /** More-is-worse figures are critical at crit or above; less-is-worse ones below crit. */
        public boolean critical(double value) {
            return higherIsWorse() ? value >= crit : value < crit;
        }
    }

    /** The defaults. Names are also the health score component and alert condition names where those exist. */
    public static final List<Limit> DEFAULTS = List.of(
            new Limit("health_score", "points", 80, 60, "the score bands: below 80 is a warning, below 60 critical"),
            new Limit(
                    "pool_utilization",
                    "%",
                    80,
                    95,
                    "above 80 % of max-pool-size a burst has no room; at 95 % requests start to queue"),
            new Limit(
                    "pool_waits",
                    "requests",
                    1,
                    3,
                    "requests waiting for a connection now plus those that timed out in the recent window; any is a"
                            + " symptom, three mean users see errors"),
            new Limit(
                    "query_latency",
                    "ms",
                    100,
                    1000,
                    "mean statement time over the recent window; an intake statement takes milliseconds, 100 ms means"
                            + " something scans, 1 s is an outage in slow motion"),
            new Limit(
                    "cache_hit_ratio",
                    "%",
                    99,
                    95,
                    "below 99 % the working set no longer fits shared_buffers; below 95 % most reads hit the disk"),
            new Limit(
                    "lock_contention",
                    "blocked sessions",
                    1,
                    5,
                    "sessions waiting for a lock another holds: one is worth a look, five are a pile-up"),
            new Limit(
                    "idle_in_transaction",
                    "s",
                    60,
                    1800,
                    "a transaction left open holds locks and stops vacuum; a minute is a forgotten commit, half an"
                            + " hour blocks autovacuum for real"),
            new Limit(
                    "dead_tuples",
                    "%",
                    20,
                    50,
                    "the worst table's dead share: 20 % (autovacuum's default scale factor) means vacuum lags, 50 %"
                            + " bloat and slow scans"),
            new Limit(
                    "xid_wraparound",
                    "%",
                    50,
                    75,
                    "transaction-id age as a share of the 2^31 limit; PostgreSQL stops writes near 100 %"),
            new Limit(
                    "connections_headroom",
                    "% free",
                    20,
                    5,
                    "free share of max_connections minus reserved slots; below 5 % new connections fail"),
            new Limit(
                    "stale_statistics",
                    "% rows changed",
                    10,
                    50,
                    "rows changed since the last ANALYZE as a share of the table; autovacuum analyzes at 10 %, at 50 %"
                            + " the planner works from a different table"),
            new Limit(
                    "slow_query",
                    "ms",
                    100,
                    1000,
                    "one statement's mean time; the same bounds as query_latency, applied per statement"),
            new Limit(
                    "sequence_used",
                    "%",
                    75,
                    90,
                    "share of a sequence's range (or its column type's) already used: time to plan a bigint move"),
            new Limit(
                    "index_bloat",
                    "%",
                    30,
                    60,
                    "estimated wasted share of an index: from 30 % the weekly maintenance rebuilds it concurrently"),
            new Limit(
                    "table_bloat",
                    "%",
                    30,
                    60,
                    "estimated wasted share of a table: 30 % is worth a look at vacuum, 60 % needs a rewrite"),
            new Limit(
                    "disk_budget",
                    "days left",
                    30,
                    7,
                    "days until the database reaches apintake.monitoring.disk-budget-bytes at its current growth"),
            new Limit(
                    "intake_queue_age",
                    "s",
                    300,
                    1800,
                    "age of the oldest job waiting in the intake queue: a worker takes a job within seconds, so five"
                            + " minutes means the workers are stuck or outrun; after half an hour uploaded invoices are"
                            + " missing from the clerks' lists"),
            new Limit(
                    "intake_queue_depth",
                    "jobs",
                    1000,
                    10000,
                    "jobs waiting in the intake queue: a batch upload queues hundreds at once and drains; a thousand"
                            + " waiting means the inflow outruns the workers, ten thousand a backlog of hours"),
            new Limit(
                    "replica_lag_seconds",
                    "s",
                    30,
                    300,
                    "age of the replica's last replayed transaction while WAL waits: from 30 s (the default"
                            + " apintake.replica.max-lag-seconds) reads fall back to the primary; five minutes means"
                            + " replay is stuck"),
            new Limit(
                    "replica_lag_bytes",
                    "bytes",
                    16777216,
                    1073741824,
                    "WAL the replica has not replayed: one 16 MB segment behind is worth a look, a gigabyte means"
                            + " it cannot keep up (and the primary keeps that WAL)"),
            new Limit(
                    "wal_archive_disk_days_left",
                    "days",
                    14,
                    3,
                    "days until the WAL archive's disk is full at the current inflow: two weeks to act, three days"
                            + " is a long weekend"),
            new Limit(
                    "admission_refusals",
                    "per minute",
                    1,
                    60,
                    "API requests the admission limit answered 503, per minute over 5 min and for 10 min on end (only"
                            + " the Prometheus rule judges it): one burst is absorbed by Retry-After, one a minute for"
                            + " ten minutes means the limit is reached again and again, one a second means clients are"
                            + " turned away all the time"));

    @Inject
    Config config;

    public Limit limit(String name) {
        Limit defaults = defaults(name);
        String prefix = "apintake.threshold." + name + ".";
        return new Limit(
                name,
                defaults.unit(),
                config.getOptionalValue(prefix + "warn", Double.class).orElse(defaults.warn()),
                config.getOptionalValue(prefix + "crit", Double.class).orElse(defaults.crit()),
                defaults.why());
    }

    public List<Limit> all() {
        return DEFAULTS.stream().map(d -> limit(d.name())).toList();
    }

    public static Limit defaults(String name) {
        return DEFAULTS.stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no threshold named " + name));
    }
}
