package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.Dashboard;
import com.apintake.monitoring.control.DatabaseMetrics;
import com.apintake.monitoring.control.Explain;
import com.apintake.monitoring.control.HealthScore;
import com.apintake.monitoring.control.Recommendations;
import com.apintake.monitoring.control.SlowQueries;
import com.apintake.monitoring.control.SlowSqlLog;
import com.apintake.monitoring.control.Trends;
import com.apintake.monitoring.control.VitalSigns;
import com.apintake.monitoring.entity.HealthReport;
import com.apintake.monitoring.entity.Recommendation;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.boundary.PublicLinks;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * GET /api/v1/database/{metrics, slow-queries, health, recommendations, dashboard, trends}: the
 * database as a DBA reads it. Each call measures afresh (the dashboard serves the monitoring loop's last
 * measurement); nothing here writes. One instance for the application: everything it holds is
 * application-wide, and a per-request instance cost CDI a dozen injections on every call (about 9 % of
 * a dashboard request's CPU, docs/request-path.md).
 */
@ApplicationScoped
@Path("database")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class DatabaseResource {

    private static final Logger LOG = Logger.getLogger(DatabaseResource.class.getName());
    private static final Pattern WINDOW = Pattern.compile("(\\d{1,6})([smhd])");
    private static final Pattern TABLE = Pattern.compile("[^.\\s]{1,63}(\\.[^.\\s]{1,63})?");

    /** The slow statements of pg_stat_statements in the window, and those Payara's slow-SQL log saw, with their call site. */
    public record SlowQueriesView(SlowQueries.Window statements, List<SlowSqlLog.Entry> payara) {}

    @Inject
    VitalSigns vitalSigns;

    @Inject
    HealthScore healthScore;

    @Inject
    DatabaseMetrics metrics;

    @Inject
    SlowQueries slowQueries;

    @Inject
    SlowSqlLog slowSqlLog;

    @Inject
    Recommendations recommendations;

    @Inject
    Dashboard dashboard;

    @Inject
    Trends trends;

    @Inject
    Explain explain;

    @Inject
    PublicLinks links;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.retention-days", defaultValue = "30")
    int retentionDays;

    @Operation(
            summary =
                    "Cache hit ratios, transactions, deadlocks, temp files, size, statement time, scans, dead tuples, replication")
    @GET
    @Path("metrics")
    public DatabaseMetrics.Metrics metrics() {
        return answer(() -> metrics.metrics(vitalSigns.measure()));
    }

    @Operation(summary = "Slow statements of a window (pg_stat_statements snapshots) and Payara's slow-SQL log")
    @ProblemResponses({"400"})
    @GET
    @Path("slow-queries")
    public SlowQueriesView slowQueries(
            @QueryParam("window") @DefaultValue("1h") String window,
            @QueryParam("limit") @DefaultValue("20") int limit,
            @Context UriInfo uriInfo) {
        Duration duration = window(window);
        if (limit < 1 || limit > 500) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 500, was " + limit);
        }
        return answer(() -> new SlowQueriesView(
                slowQueries
                        .slow(duration, limit)
                        .withExplainLinks(queryid -> links.api(uriInfo, "database/slow-queries/" + queryid + "/explain")
                                .toString()),
                slowSqlLog.recent(java.time.Instant.now().minus(duration), limit)));
    }

    @Operation(
            summary =
                    "The generic plan of a slow statement by its queryid (normalised text prepared, EXECUTE with NULLs explained, never run; audited)")
    @ProblemResponses({"400", "404", "409", "422", "503"})
    @POST
    @Path("slow-queries/{queryid: -?[0-9]+}/explain")
    public Explain.StatementPlan explainSlowQuery(@PathParam("queryid") long queryid) {
        return explain.explainStatement(queryid);
    }

    @Operation(summary = "The health score 0-100 with each component's value, thresholds, weight and penalty")
    @GET
    @Path("health")
    public HealthReport health() {
        return healthScore.score(vitalSigns.measure());
    }

    @Operation(summary = "Findings with severity, evidence and a ready fix (Liquibase changeSet, SQL or asadmin)")
    @GET
    @Path("recommendations")
    public List<Recommendation> recommendations() {
        return answer(() -> recommendations.all(vitalSigns.measure()));
    }

    @Operation(summary = "Health, connections, metrics, slow queries and recommendations in one document")
    @APIResponse(
            responseCode = "200",
            description = "The dashboard document",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Dashboard.View.class)))
    @GET
    @Path("dashboard")
    public String dashboard() {
        // The text of Dashboard.View, rendered once per measurement (Dashboard.json).
        return answer(dashboard::json);
    }

    @Operation(
            summary =
                    "One stored figure over a window; table_* metrics are one of the biggest tables' figures (table=schema.name)")
    @ProblemResponses({"400"})
    @GET
    @Path("trends")
    public Trends.Series trends(
            @QueryParam("metric") String metric,
            @QueryParam("window") @DefaultValue("24h") String window,
            @QueryParam("table") String table) {
        boolean perTable = metric != null && Trends.TABLE_METRICS.containsKey(metric);
        if (metric == null || !(Trends.METRICS.containsKey(metric) || perTable)) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "metric must be one of " + String.join(", ", Trends.METRICS.keySet()) + ", or with table="
                            + " one of " + String.join(", ", Trends.TABLE_METRICS.keySet())
                            + (metric == null ? "" : "; was " + metric));
        }
        if (perTable && (table == null || !TABLE.matcher(table).matches())) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    metric + " needs table=schema.name (or a name in public), e.g. table=public.invoices");
        }
        if (!perTable && table != null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "table= applies to the table_* metrics only");
        }
        Duration duration = window(window);
        return answer(() -> trends.series(metric, duration, perTable ? table : null));
    }

    /** 30s, 15m, 1h, 7d; at most the retention, since older snapshots are gone. */
    private Duration window(String text) {
        Matcher matcher = WINDOW.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "window must be a number followed by s, m, h or d (e.g. 1h), was " + text);
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.isZero() || duration.compareTo(Duration.ofDays(retentionDays)) > 0) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "window must be longer than 0 and at most the retention of " + retentionDays + " days, was "
                            + text);
        }
        return duration;
    }

    /** A database that cannot be reached (down, or the pool exhausted) is a 503 the client may retry, not a fault. */
    static <T> T answer(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalStateException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.sql.SQLException
                    || String.valueOf(e.getMessage()).startsWith("Database not reachable")) {
                LOG.warning(() -> e.getMessage() + ": "
                        + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
                throw Problem.of(
                        Response.Status.SERVICE_UNAVAILABLE,
                        "The database could not be reached, or no pooled connection was free within the pool's wait time; retry later.");
            }
            throw e;
        }
    }
}
