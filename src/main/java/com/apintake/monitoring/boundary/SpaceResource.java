package com.apintake.monitoring.boundary;

import com.apintake.monitoring.control.Space;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * GET /api/v1/database/space: sizes, rows, bloat and growth of every table and index, days to the
 * disk budget, sequences near their maximum, invalid indexes and running vacuums.
 */
@Path("database/space")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class SpaceResource {

    @Inject
    Space space;

    @Operation(
            summary =
                    "Space: sizes, growth per day, bloat, days to the disk budget, sequences, invalid indexes, vacuums")
    @GET
    public Space.Report space() {
        return space.report();
    }
}
