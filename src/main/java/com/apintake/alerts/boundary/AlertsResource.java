package com.apintake.alerts.boundary;

import com.apintake.alerts.control.AlertStore;
import com.apintake.alerts.entity.Alert;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** GET /api/v1/database/alerts: the open alerts and those opened in the last `hours`, each with its history. */
@Path("database/alerts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.DBA)
public class AlertsResource {

    public record Alerts(List<Alert> open, List<Alert> recent) {}

    @Inject
    AlertStore store;

    @Operation(summary = "Open alerts and those opened in the last hours, with their history")
    @ProblemResponses({"400"})
    @GET
    public Alerts alerts(
            @QueryParam("hours") @DefaultValue("24") int hours, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (hours < 1 || hours > 24 * 366) {
            throw Problem.of(Response.Status.BAD_REQUEST, "hours must be between 1 and 8784, was " + hours);
        }
        if (limit < 1 || limit > 1000) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be between 1 and 1000, was " + limit);
        }
        List<Alert> all = store.list(Instant.now().minus(Duration.ofHours(hours)), limit);
        return new Alerts(
                all.stream().filter(a -> a.resolvedAt() == null).toList(),
                all.stream().filter(a -> a.resolvedAt() != null).toList());
    }
}
