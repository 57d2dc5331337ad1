package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.Explain;
import com.apintake.platform.control.Refused;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * POST /api/v1/database/explain {"query": "SELECT ...", "analyze": false}: the plan of one SELECT,
 * as JSON and text, with a suggested index where a big table is scanned for a few rows. Anything but
 * a single SELECT is a 400 and changes nothing.
 */
@Path("database/explain")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class ExplainResource {

    public record ExplainRequest(String query, Boolean analyze) {}

    @Inject
    Explain explain;

    @Operation(
            summary = "The plan of a single SELECT, in a read-only transaction rolled back, with an index suggestion")
    @POST
    public Explain.Plan explain(ExplainRequest request) {
        if (request == null) {
            throw new Refused(Refused.Reason.INVALID, "a JSON body {\"query\": \"SELECT ...\"} is required");
        }
        return explain.explain(request.query(), Boolean.TRUE.equals(request.analyze()));
    }
}
