package com.apintake.maintenance.boundary;

import com.apintake.maintenance.control.PerformanceReports;
import com.apintake.maintenance.control.ReportMarkdown;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/database/reports: the stored performance reports. One report as JSON (default), Markdown
 * (?format=markdown or Accept: text/markdown) or HTML (?format=html or Accept: text/html).
 */
@Path("database/reports")
@RolesAllowed(Roles.DBA)
public class ReportsResource {

    @Inject
    PerformanceReports reports;

    @Operation(summary = "The stored performance reports, newest first")
    @ProblemResponses({"400"})
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<PerformanceReports.Summary> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 500.");
        }
        return reports.list(limit);
    }

    @Operation(summary = "One performance report as JSON, Markdown or HTML")
    @ProblemResponses({"404", "406"})
    @GET
    @Path("{id}")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown", MediaType.TEXT_HTML})
    public Response get(
            @PathParam("id") long id,
            @QueryParam("format") String format,
            @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        var report = reports.find(id).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "No report " + id + "."));
        String wanted = format != null
                ? format
                : accept == null
                        ? ""
                        : accept.contains("text/markdown")
                                ? "markdown"
                                : accept.contains("text/html") ? "html" : "json";
        return switch (wanted) {
            case "markdown" ->
                Response.ok(report.markdown(), "text/markdown; charset=utf-8").build();
            case "html" ->
                Response.ok(ReportMarkdown.html(report.markdown()), "text/html; charset=utf-8")
                        .build();
            case "json", "" ->
                Response.ok(report.json(), MediaType.APPLICATION_JSON).build();
            default -> throw Problem.of(Response.Status.BAD_REQUEST, "format must be json, markdown or html.");
        };
    }
}
