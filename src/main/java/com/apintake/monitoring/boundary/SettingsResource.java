package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.ServerSettings;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** GET /api/v1/database/settings: the server settings judged against the machine, with the postgresql.conf lines to change. */
@Path("database/settings")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class SettingsResource {

    @Inject
    ServerSettings settings;

    @Operation(summary = "Server settings judged against the machine, each with the postgresql.conf line to change")
    @GET
    public ServerSettings.Report settings() {
        return settings.report();
    }
}
