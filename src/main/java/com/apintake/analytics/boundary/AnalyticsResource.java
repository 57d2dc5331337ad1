package com.apintake.analytics.boundary;

import com.apintake.analytics.control.Analytics;
import com.apintake.analytics.control.Period;
import com.apintake.analytics.control.Rollups;
import com.apintake.platform.boundary.Inputs;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.LocalDate;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/analytics: AP figures over a period, each one SQL statement over the daily rollups. from
 * and to are required dates (to exclusive, calendar days in apintake.analytics.time-zone), at most
 * apintake.analytics.max-days apart. /rollups shows how far the rollups lag; POST /rollups/refresh
 * brings them up to date now.
 */
@Path("analytics")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.APPROVER, Roles.DBA})
public class AnalyticsResource {

    @Inject
    Analytics analytics;

    @Inject
    RollupSchedule rollupSchedule;

    @Inject
    Rollups rollups;

    @Inject
    @ConfigProperty(name = "apintake.analytics.max-days", defaultValue = "366")
    int maxDays;

    @Operation(summary = "Per day: extractions, average confidence, how many below the minimum")
    @ProblemResponses({"400"})
    @GET
    @Path("extraction-confidence")
    public List<Analytics.DailyConfidence> extractionConfidence(
            @QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.extractionConfidence(period(from, to));
    }

    @Operation(summary = "Per day and type: exceptions raised, resolved, median hours to resolve")
    @ProblemResponses({"400"})
    @GET
    @Path("exceptions")
    public List<Analytics.ExceptionDay> exceptions(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.exceptions(period(from, to));
    }

    @Operation(summary = "Per vendor: invoices, exception rate, average confidence, share auto-approved")
    @ProblemResponses({"400"})
    @GET
    @Path("vendors")
    public List<Analytics.VendorFigures> vendors(
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("limit") @DefaultValue("50") int limit,
            @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > 500 || offset < 0) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be 1..500 and offset >= 0.");
        }
        return analytics.vendors(period(from, to), limit, offset);
    }

    @Operation(summary = "Per rule: checks, passed, pass rate")
    @ProblemResponses({"400"})
    @GET
    @Path("validations")
    public List<Analytics.RulePassRate> validations(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.validations(period(from, to));
    }

    @Operation(summary = "Per day and status: staged exports")
    @ProblemResponses({"400"})
    @GET
    @Path("exports")
    public List<Analytics.ExportDay> exports(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.exports(period(from, to));
    }

    @Operation(summary = "How far the rollups lag: time zone, threshold, pending topic-days")
    @GET
    @Path("rollups")
    public Rollups.Status rollups() {
        return rollups.status();
    }

    /** Finds the changed days and recomputes every marked day now (queued behind a drain in progress). */
    @Operation(summary = "Find the days changed since the watermark and recompute them now")
    @POST
    @Path("rollups/refresh")
    @RolesAllowed(Roles.DBA)
    public JsonObject refresh() {
        return answer(rollupSchedule.refresh(true));
    }

    /**
     * Marks every day of [from, to) and recomputes them: after facts were loaded with past timestamps
     * or deleted, which the timestamp-based drain cannot see (docs/read-path.md).
     */
    @Operation(summary = "Recompute the rollups of every day in a period (after backfills or deletions)")
    @ProblemResponses({"400"})
    @POST
    @Path("rollups/rebuild")
    @RolesAllowed(Roles.DBA)
    public JsonObject rebuild(@QueryParam("from") String from, @QueryParam("to") String to) {
        return answer(rollupSchedule.rebuild(dates(from, to)));
    }

    /** Topic-days recomputed, and the marks left when the last batch committed (0: up to date then). */
    private static JsonObject answer(Rollups.Drained drained) {
        return Json.createObjectBuilder()
                .add("recomputedDays", drained.days())
                .add("pendingMarks", drained.pendingMarks())
                .build();
    }

    private Period period(String from, String to) {
        Period period = dates(from, to);
        if (period.days() > maxDays) {
            throw Problem.of(Response.Status.BAD_REQUEST, "The period may span at most " + maxDays + " days.");
        }
        // Every question is answered from rollups brought up to date just now (no triggers mark changes).
        rollupSchedule.catchUp();
        return period;
    }

    private static Period dates(String from, String to) {
        if (from == null || to == null) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "from and to are required dates, e.g. ?from=2026-01-01&to=2026-02-01.");
        }
        LocalDate start = Inputs.date("from", from);
        LocalDate end = Inputs.date("to", to);
        if (start == null || end == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "from and to must be dates like 2026-01-31.");
        }
        Period period;
        try {
            period = new Period(start, end);
        } catch (IllegalArgumentException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, e.getMessage() + ".");
        }
        return period;
    }
}
