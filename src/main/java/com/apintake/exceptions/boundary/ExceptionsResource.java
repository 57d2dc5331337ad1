package com.apintake.exceptions.boundary;

import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.platform.boundary.IgnoredMembers;
import com.apintake.platform.boundary.Input;
import com.apintake.platform.boundary.Inputs;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.security.control.Caller;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** /api/v1/exceptions: the work list of invoices held for a person. */
@Path("exceptions")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLERK, Roles.APPROVER})
public class ExceptionsResource {

    /**
     * resolution: what was done. action: CONFIRM or DISMISS for a suspected duplicate. vendorId: for
     * an unknown vendor, the vendor the invoice belongs to. Who resolved it is the authenticated user
     * (a "resolvedBy" sent by older clients is ignored).
     */
    @IgnoredMembers("resolvedBy")
    public record Resolution(
            @Input(max = Inputs.FREE_TEXT_MAX, multiline = true)
            String resolution,

            String action,
            Long vendorId) {}

    @Inject
    ExceptionRecords exceptions;

    @Inject
    Caller caller;

    /** Newest first. before: the id of the last exception of the previous page. */
    @Operation(summary = "Exceptions, newest first, open or resolved, paged")
    @ProblemResponses({"400"})
    @GET
    public List<ExceptionRecords.Record> list(
            @QueryParam("resolved") Boolean resolved,
            @QueryParam("before") Long before,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 500.");
        }
        return exceptions.list(resolved, before, limit);
    }

    @Operation(summary = "One exception")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}")
    public ExceptionRecords.Record get(@PathParam("id") long id) {
        return exceptions.find(id).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "No exception " + id + "."));
    }

    @Operation(
            summary =
                    "Resolve an exception (CONFIRM or DISMISS a suspected duplicate; link a vendor to an unknown-vendor invoice)")
    @ProblemResponses({"400", "404", "409"})
    @POST
    @Path("{id}/resolve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    public ExceptionRecords.Record resolve(@PathParam("id") long id, Resolution body) {
        if (body == null || blank(body.resolution()) && blank(body.action())) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "Send {\"resolution\": \"what was done\"} (and \"action\": \"CONFIRM\"|\"DISMISS\" for a suspected duplicate).");
        }
        ExceptionRecords.Action action = null;
        if (!blank(body.action())) {
            try {
                action = ExceptionRecords.Action.valueOf(body.action().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Problem.of(Response.Status.BAD_REQUEST, "action must be CONFIRM or DISMISS.");
            }
        }
        return exceptions.resolve(id, caller.name(), body.resolution(), action, body.vendorId());
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
