package com.apintake.audit.boundary;

import com.apintake.audit.control.AuditTrail;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.boundary.PublicLinks;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** GET /api/v1/audit: who did what and when, newest first, for the dba. */
@Path("audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class AuditResource {

    /** One page; next is the URL of the following page, absent on the last one. */
    public record Page(List<AuditTrail.Entry> items, String next) {}

    @Inject
    AuditTrail trail;

    @Context
    UriInfo uriInfo;

    @Inject
    PublicLinks links;

    @Operation(summary = "The audit trail, newest first, filtered by actor and action, paged")
    @ProblemResponses({"400"})
    @GET
    public Page list(
            @QueryParam("actor") String actor,
            @QueryParam("action") String action,
            @QueryParam("before") Long before,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 1000.");
        }
        var items = trail.list(blankToNull(actor), blankToNull(action), before, limit);
        String next = items.size() < limit
                ? null
                : links.withQuery(uriInfo, "before", items.get(items.size() - 1).id());
        return new Page(items, next);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
