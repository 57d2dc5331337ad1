package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.LiveQueries;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * GET /api/v1/database/live-queries: the sessions of this database that are not idle, with what they
 * wait for and who blocks them. POST .../{pid}/cancel and .../{pid}/terminate stop one (audited;
 * PostgreSQL's own processes and this request's session are refused with 409, an unknown pid is 404).
 */
@Path("database/live-queries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class LiveQueriesResource {

    @Inject
    LiveQueries liveQueries;

    @Operation(summary = "Queries running now: pid, application, user, state, duration, wait event, query, blocked by")
    @GET
    public List<LiveQueries.LiveQuery> list() {
        return liveQueries.list();
    }

    @Operation(summary = "Cancel the running query of a backend (audited; never PostgreSQL's own processes)")
    @POST
    @Path("{pid}/cancel")
    public LiveQueries.Signalled cancel(@PathParam("pid") int pid) {
        return liveQueries.cancel(pid);
    }

    @Operation(summary = "Terminate a backend (audited; never PostgreSQL's own processes)")
    @POST
    @Path("{pid}/terminate")
    public LiveQueries.Signalled terminate(@PathParam("pid") int pid) {
        return liveQueries.terminate(pid);
    }
}
