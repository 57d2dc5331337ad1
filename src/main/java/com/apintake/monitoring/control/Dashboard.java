package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.AlertFeed;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.HealthScored;
import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.JsonBinding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Everything of /api/v1/database/* in one document: what a dashboard polls. Like the /metrics gauges,
 * it serves the monitoring loop's last measurement instead of measuring per call (a poll then costs
 * what a Prometheus scrape costs, not one vitals pass, the recommendations and the slow-query window):
 * while the dashboard is read, each loop round (apintake.monitoring.measure-seconds) builds the next
 * document in the background. The answer says how old its figures are (measuredAt, ageSeconds); a
 * document older than apintake.monitoring.dashboard-max-age-seconds is never served: the call then
 * measures afresh. The connections move faster than a round: they come from a snapshot taken every
 * apintake.monitoring.live-connections-ms while the dashboard is read ({@link LiveConnections}: pool MBeans,
 * one look at pg_stat_activity), so that no answer makes a database round trip; connectionsAgeSeconds says
 * how old it is.
 *
 * <p>Each measurement is also rendered to JSON once, when it is kept ({@link #json()}): an answer then
 * writes that text and only serialises its own two members, the age and the live connections, instead
 * of running JSON-B over the whole document (about 9 % of a dashboard request's CPU, docs/request-path.md).
 */
@ApplicationScoped
public class Dashboard {

    private static final Logger LOG = Logger.getLogger(Dashboard.class.getName());

    /**
     * measuredAt: when the vitals behind health, metrics and recommendations were measured; ageSeconds:
     * how long before this answer; maxAgeSeconds: the bound on that age. connections: a snapshot at most
     * apintake.monitoring.live-connections-max-age-ms old, connectionsAgeSeconds before this answer.
     * Without the three per-answer members (null, which JSON-B leaves out) it is what every answer of one
     * measurement shares ({@link Measured#shared}).
     */
    public record View(
            Instant measuredAt,
            Double ageSeconds,
            long maxAgeSeconds,
            HealthReport health,
            ConnectionOverview.Connections connections,
            DatabaseMetrics.Metrics metrics,
            SlowQueries.Window slowQueries,
            List<SlowSqlLog.Entry> payaraSlowSql,
            List<Recommendation> recommendations,
            List<?> alerts,
            Double connectionsAgeSeconds) {}

    /** What one measurement gives the dashboard, everything but the live connections. */
    record Measured(
            Instant measuredAt,
            HealthReport health,
            DatabaseMetrics.Metrics metrics,
            SlowQueries.Window slowQueries,
            List<SlowSqlLog.Entry> payaraSlowSql,
            List<Recommendation> recommendations,
            List<?> alerts) {

        View at(Instant now, Duration maxAge, ConnectionOverview.Connections connections, double connectionsAge) {
            return new View(
                    measuredAt,
                    Duration.between(measuredAt, now).toMillis() / 1000.0,
                    maxAge.toSeconds(),
                    health,
                    connections,
                    metrics,
                    slowQueries,
                    payaraSlowSql,
                    recommendations,
                    alerts,
                    connectionsAge);
        }

        /** The members every answer of this measurement shares: no age, no connections. */
        View shared(long maxAgeSeconds) {
            return new View(
                    measuredAt,
                    null,
                    maxAgeSeconds,
                    health,
                    null,
                    metrics,
                    slowQueries,
                    payaraSlowSql,
                    recommendations,
                    alerts,
                    null);
        }
    }

    /** A kept measurement with its shared members rendered: the JSON object's text without its closing brace. */
    record Rendered(Measured measured, String open) {

        /** The answer's text: the shared members, then the age at now and the connections with their age. */
        String at(Instant now, String connections, double connectionsAge) {
            double age = Duration.between(measured.measuredAt(), now).toMillis() / 1000.0;
            StringBuilder json = new StringBuilder(open.length() + connections.length() + 48);
            json.append(open);
            if (open.length() > 1) {
                json.append(',');
            }
            return json.append("\"ageSeconds\":")
                    .append(age)
                    .append(",\"connections\":")
                    .append(connections)
                    .append(",\"connectionsAgeSeconds\":")
                    .append(connectionsAge)
                    .append('}')
                    .toString();
        }
    }

    static final Duration SLOW_WINDOW = Duration.ofHours(1);
    static final int TOP = 10;

    @Inject
    VitalSigns vitalSigns;

    @Inject
    HealthScore healthScore;

    @Inject
    LiveConnections connections;

    @Inject
    DatabaseMetrics metrics;

    @Inject
    SlowQueries slowQueries;

    @Inject
    SlowSqlLog slowSqlLog;

    @Inject
    Recommendations recommendations;

    @Inject
    Instance<AlertFeed> alerts;

    /** The oldest figures the dashboard serves; older ones are measured afresh by the call. */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.dashboard-max-age-seconds", defaultValue = "60")
    long maxAgeSeconds;

    /** The loop builds documents only while the dashboard was read within this time: an unread one costs nothing. */
    @Inject
    @ConfigProperty(name = "apintake.monitoring.dashboard-keep-seconds", defaultValue = "600")
    long keepSeconds;

    private volatile Rendered latest;
    private volatile Instant lastRead = Instant.EPOCH;
    private volatile boolean failing;

    public View view() {
        Instant now = Instant.now();
        lastRead = now;
        Duration maxAge = Duration.ofSeconds(maxAgeSeconds);
        LiveConnections.Snapshot live = connections.current();
        Instant at = Instant.now();
        return servableNow(now, maxAge).measured().at(at, maxAge, live.connections(), live.ageSeconds(at));
    }

    /**
     * {@link #view()} as the JSON text an answer sends: the same members, the shared ones rendered once per
     * measurement, the connections once per snapshot; only the two ages are written per answer.
     */
    public String json() {
        Instant now = Instant.now();
        lastRead = now;
        Rendered rendered = servableNow(now, Duration.ofSeconds(maxAgeSeconds));
        LiveConnections.Snapshot live = connections.current();
        Instant at = Instant.now();
        return rendered.at(at, live.json(), live.ageSeconds(at));
    }

    private Rendered servableNow(Instant now, Duration maxAge) {
        Rendered rendered = latest;
        if (!servable(rendered == null ? null : rendered.measured().measuredAt(), now, maxAge)) {
            rendered = measureNow(now, maxAge);
        }
        return rendered;
    }

    /**
     * Figures measured at measuredAt may be served at now when they are at most maxAge old (and not from the
     * future: a clock step back makes them suspect).
     */
    static boolean servable(Instant measuredAt, Instant now, Duration maxAge) {
        return measuredAt != null
                && !measuredAt.isAfter(now)
                && Duration.between(measuredAt, now).compareTo(maxAge) <= 0;
    }

    /** One call measures while others wait for it and then serve its result. */
    private synchronized Rendered measureNow(Instant now, Duration maxAge) {
        Rendered current = latest;
        if (servable(current == null ? null : current.measured().measuredAt(), now, maxAge)) {
            return current;
        }
        Vitals vitals = vitalSigns.measure();
        Rendered fresh = render(build(vitals, healthScore.score(vitals)));
        keep(fresh);
        return fresh;
    }

    /** The loop's round: the next document, built off the timer's thread, while someone reads the dashboard. */
    void measured(@ObservesAsync HealthScored scored) {
        if (Duration.between(lastRead, Instant.now()).toSeconds() > keepSeconds) {
            return;
        }
        try {
            keep(render(build(
                    scored.vitals(), scored.health() != null ? scored.health() : healthScore.score(scored.vitals()))));
            if (failing) {
                LOG.info("The dashboard is built by the monitoring loop again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(
                        Level.WARNING,
                        "Building the dashboard from the monitoring round failed; calls measure afresh once its figures"
                                + " are older than " + maxAgeSeconds + " s: " + e.getMessage(),
                        e);
                failing = true;
            }
        }
    }

    private Measured build(Vitals vitals, HealthReport health) {
        Instant at = vitals.at();
        return new Measured(
                at,
                health,
                metrics.metrics(vitals),
                slowQueries.slow(SLOW_WINDOW, TOP),
                slowSqlLog.recent(at.minus(SLOW_WINDOW), TOP),
                recommendations.all(vitals),
                alerts.isResolvable() ? alerts.get().recent(at.minus(Duration.ofDays(1)), 20) : List.of());
    }

    /** Renders the shared members once, where the document is built (the loop's thread, or the measuring call). */
    private Rendered render(Measured measured) {
        return rendered(measured, JsonBinding.toJson(measured.shared(maxAgeSeconds)));
    }

    /** fixed: the shared members as one JSON object; kept open so that each answer appends its own. */
    static Rendered rendered(Measured measured, String fixed) {
        return new Rendered(measured, fixed.substring(0, fixed.lastIndexOf('}')));
    }

    /** The newer of two documents wins (a slow loop round must not replace what a call measured after it). */
    private synchronized void keep(Rendered candidate) {
        Rendered current = latest;
        if (current == null
                || !candidate
                        .measured()
                        .measuredAt()
                        .isBefore(current.measured().measuredAt())) {
            latest = candidate;
        }
    }
}
