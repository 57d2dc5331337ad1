package com.apintake.vendors.boundary;

import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.boundary.PublicLinks;
import com.apintake.security.entity.Roles;
import com.apintake.vendors.control.Vendors;
import com.apintake.vendors.entity.Vendor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** /api/v1/vendors: the vendor master that invoices are matched against. */
@Path("vendors")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLERK, Roles.APPROVER})
public class VendorsResource {

    @Inject
    Vendors vendors;

    @Inject
    PublicLinks links;

    @Operation(summary = "List vendors by name, paged (IBAN and account holder only for ap-approver)")
    @ProblemResponses({"400"})
    @GET
    public List<Vendor> list(
            @QueryParam("name") String name,
            @QueryParam("limit") @DefaultValue("100") int limit,
            @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > 1000 || offset < 0) {
            throw Problem.of(Response.Status.BAD_REQUEST, "limit must be 1..1000 and offset >= 0.");
        }
        return vendors.list(name == null || name.isBlank() ? null : name, limit, offset);
    }

    @Operation(summary = "One vendor")
    @ProblemResponses({"404"})
    @GET
    @Path("{id}")
    public Vendor get(@PathParam("id") long id) {
        return vendors.find(id).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "No vendor " + id + "."));
    }

    @Operation(summary = "Create a vendor")
    @ProblemResponses({"400", "409"})
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    public Response create(Vendor vendor, @Context UriInfo uriInfo) {
        Vendor created = vendors.create(required(vendor));
        return Response.created(links.api(uriInfo, "vendors/" + created.id()))
                .entity(created)
                .build();
    }

    @Operation(summary = "Change a vendor (a bank-account change is audited)")
    @ProblemResponses({"400", "404", "409"})
    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.APPROVER)
    public Vendor update(@PathParam("id") long id, Vendor vendor) {
        return vendors.update(id, required(vendor));
    }

    private static Vendor required(Vendor vendor) {
        if (vendor == null || vendor.name() == null || vendor.name().isBlank()) {
            throw Problem.of(Response.Status.BAD_REQUEST, "A vendor needs a name.");
        }
        return vendor;
    }
}
