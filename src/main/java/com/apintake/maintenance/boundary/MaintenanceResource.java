package com.apintake.maintenance.boundary;

import com.apintake.audit.control.AuditTrail;
import com.apintake.maintenance.control.MaintenanceRuns;
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

/** /api/v1/database/maintenance: every maintenance run and what it did; POST runs one now. */
@Path("database/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class MaintenanceResource {

    @Inject
    MaintenanceRuns runs;

    @Inject
    MaintenanceSchedule schedule;

    @Inject
    AuditTrail audit;

    @Operation(summary = "The maintenance runs, newest first")
    @ProblemResponses({"400"})
    @GET
    public List<MaintenanceRuns.Run> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 500.");
        }
        return runs.list(limit);
    }

    /** kind=weekly (ANALYZE + weekly report) or kind=daily (purge + daily report). */
    @Operation(summary = "Run the weekly or daily maintenance now; answers the recorded run")
    @ProblemResponses({"400", "409"})
    @POST
    @Path("run")
    public MaintenanceRuns.Run run(@QueryParam("kind") String kind) {
        if (!"weekly".equals(kind) && !"daily".equals(kind)) {
            throw Problem.of(Response.Status.BAD_REQUEST, "kind must be weekly or daily.");
        }
        MaintenanceRuns.Run run = schedule.run(kind, "manual");
        audit.record("maintenance.run", kind + " maintenance run " + run.id(), run.outcome());
        return run;
    }
}
