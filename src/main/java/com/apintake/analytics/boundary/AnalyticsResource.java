package com.apintake.analytics.boundary;

import com.apintake.analytics.control.Analytics;
import com.apintake.analytics.control.Period;
import com.apintake.platform.boundary.Problem;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * /api/v1/analytics: AP figures over a period, each one SQL aggregation. from and to are required
 * dates (to exclusive, UTC days), at most apintake.analytics.max-days apart.
 */
@Path("analytics")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.APPROVER, Roles.DBA})
public class AnalyticsResource {

    @Inject
    Analytics analytics;

    @Inject
    @ConfigProperty(name = "apintake.analytics.max-days", defaultValue = "366")
    int maxDays;

    @Inject
    @ConfigProperty(name = "apintake.validation.min-confidence", defaultValue = "0.8")
    double minConfidence;

    @GET
    @Path("extraction-confidence")
    public List<Analytics.DailyConfidence> extractionConfidence(
            @QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.extractionConfidence(period(from, to), minConfidence);
    }

    @GET
    @Path("exceptions")
    public List<Analytics.ExceptionDay> exceptions(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.exceptions(period(from, to));
    }

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

    @GET
    @Path("validations")
    public List<Analytics.RulePassRate> validations(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.validations(period(from, to));
    }

    @GET
    @Path("exports")
    public List<Analytics.ExportDay> exports(@QueryParam("from") String from, @QueryParam("to") String to) {
        return analytics.exports(period(from, to));
    }

    private Period period(String from, String to) {
        if (from == null || to == null) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "from and to are required dates, e.g. ?from=2026-01-01&to=2026-02-01.");
        }
        Period period;
        try {
            period = new Period(LocalDate.parse(from), LocalDate.parse(to));
        } catch (DateTimeParseException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, "from and to must be dates like 2026-01-31.");
        } catch (IllegalArgumentException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, e.getMessage() + ".");
        }
        if (period.days() > maxDays) {
            throw Problem.of(Response.Status.BAD_REQUEST, "The period may span at most " + maxDays + " days.");
        }
        return period;
    }
}
