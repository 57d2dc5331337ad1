package com.apintake.export.boundary;

import com.apintake.export.control.ExportBatch;
import com.apintake.export.control.ExportBatches;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** POST /api/v1/exports/run: write the pending approved invoices as one batch now (the timer does it periodically). */
@Path("exports")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APPROVER)
public class ExportsResource {

    @Inject
    ExportBatch exportBatch;

    /** 200 with the batch written, or 204 when nothing was pending. */
    @Operation(summary = "Write the pending approved invoices as one export batch now (204 when nothing is pending)")
    @POST
    @Path("run")
    public Response run() {
        return exportBatch
                .run()
                .map(batch -> Response.ok(batch).build())
                .orElse(Response.noContent().build());
    }

    @Inject
    ExportBatches exportBatches;

    /** The batches written, newest first, each with its invoice ids and files. */
    @Operation(summary = "The export batches written, newest first, with their invoices and files")
    @ProblemResponses({"400"})
    @GET
    @RolesAllowed({Roles.CLERK, Roles.APPROVER})
    public List<ExportBatches.Written> list(@QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 200) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 200.");
        }
        return exportBatches.recent(limit);
    }
}
