package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.ConnectionOverview;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** GET /api/v1/database/connections: the container pool live, next to what PostgreSQL sees. */
@Path("database/connections")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class ConnectionsResource {

    @Inject
    ConnectionOverview overview;

    @Operation(summary = "The JDBC pool live and PostgreSQL's connections by application and state")
    @GET
    public ConnectionOverview.Connections connections() {
        return overview.current();
    }
}
