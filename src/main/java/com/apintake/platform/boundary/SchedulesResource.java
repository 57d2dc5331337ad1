package com.apintake.platform.boundary;

import com.apintake.platform.control.JobClaims;
import com.apintake.platform.entity.JobRun;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/schedules: every scheduled job of the cluster with its schedule, next due time and last run
 * (which instance, when, how it ended). A job appears once it has fired on some instance.
 */
@Path("schedules")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class SchedulesResource {

    @Inject
    JobClaims claims;

    @Operation(summary = "Scheduled jobs: schedule, next due time, last run (instance, start, outcome)")
    @GET
    public List<JobRun> list() {
        return claims.list();
    }
}
