package com.apintake.security.boundary;

import com.apintake.platform.boundary.Input;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.boundary.ProblemResponses;
import com.apintake.platform.boundary.PublicLinks;
import com.apintake.security.control.Users;
import com.apintake.security.entity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * /api/v1/users: who may call the API, with which roles. user-admin only; nobody changes their own
 * roles or enabled state; passwords go in, never out.
 */
@Path("users")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER_ADMIN)
public class UsersResource {

    /** A new user, or a change (absent fields stay as they are). */
    public record UserChange(
            @Input(max = 64) String username,
            @Input(max = 4096) String password,
            @Input(max = 10) List<String> roles,
            Boolean enabled) {}

    @Inject
    Users users;

    @Inject
    PublicLinks links;

    @Operation(summary = "The users with their roles (never a password or hash)")
    @GET
    public List<Users.User> list() {
        return users.list();
    }

    @Operation(summary = "One user")
    @ProblemResponses({"404"})
    @GET
    @Path("{username}")
    public Users.User get(@PathParam("username") String username) {
        return users.find(username)
                .orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "No user " + username + "."));
    }

    @Operation(summary = "Create a user with a password and roles")
    @ProblemResponses({"400", "409"})
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(UserChange user, @Context UriInfo uriInfo) {
        if (user == null || user.username() == null || user.password() == null) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "Send {\"username\": \"...\", \"password\": \"...\", \"roles\": [\"ap-clerk\"]}.");
        }
        Users.User created = users.create(user.username().strip(), user.password(), user.roles());
        return Response.created(links.api(uriInfo, "users/" + created.username()))
                .entity(created)
                .build();
    }

    @Operation(summary = "Change a user's password, roles or enabled flag")
    @ProblemResponses({"400", "404", "409"})
    @PUT
    @Path("{username}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Users.User update(@PathParam("username") String username, UserChange change) {
        if (change == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "Send what changes: password, roles and/or enabled.");
        }
        return users.update(username, change.password(), change.roles(), change.enabled());
    }

    @Operation(summary = "Delete a user (never the last enabled dba)")
    @ProblemResponses({"404", "409"})
    @DELETE
    @Path("{username}")
    public Response delete(@PathParam("username") String username) {
        users.delete(username);
        return Response.noContent().build();
    }
}
