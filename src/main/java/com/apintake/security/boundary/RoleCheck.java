package com.apintake.security.boundary;

import com.apintake.platform.boundary.Problem;
import com.apintake.security.entity.Roles;
import jakarta.annotation.Priority;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.util.List;
import java.util.logging.Logger;

/**
 * Enforces @RolesAllowed (method over class) on every resource method: anonymous gets 401 with the
 * Basic challenge, a user without one of the roles 403, both as problem+json. A method that declares
 * nothing is refused to everyone (and logged): an endpoint cannot ship unguarded by accident.
 * ResourceRolesTest fails the build before that can happen.
 */
@Provider
public class RoleCheck implements DynamicFeature {

    private static final Logger LOG = Logger.getLogger(RoleCheck.class.getName());

    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
        Method method = resource.getResourceMethod();
        Class<?> type = resource.getResourceClass();
        if (method == null || type == null || !type.getName().startsWith("com.apintake.")) {
            // Jersey's own OPTIONS responders: they tell which methods a path has, nothing more.
            return;
        }
        List<String> roles = declaredRoles(type, method);
        if (roles == null) {
            LOG.severe(type.getName() + "#" + method.getName()
                    + " declares no roles: refused to everyone. Annotate it with @RolesAllowed.");
            roles = List.of();
        }
        // Ahead of Payara's own @RolesAllowed filter, whose 401 carries no Basic challenge.
        context.register(new Check(roles), Priorities.AUTHORIZATION - 1);
    }

    /** The roles a method allows; empty for @DenyAll; null when neither it nor its class says. @PermitAll is not accepted under /api/v1. */
    static List<String> declaredRoles(Class<?> type, Method method) {
        if (method.isAnnotationPresent(DenyAll.class)) {
            return List.of();
        }
        if (method.isAnnotationPresent(RolesAllowed.class)) {
            return List.of(method.getAnnotation(RolesAllowed.class).value());
        }
        if (method.isAnnotationPresent(PermitAll.class)) {
            return null;
        }
        if (type.isAnnotationPresent(DenyAll.class)) {
            return List.of();
        }
        if (type.isAnnotationPresent(RolesAllowed.class)) {
            return List.of(type.getAnnotation(RolesAllowed.class).value());
        }
        return null;
    }

    @Priority(Priorities.AUTHORIZATION - 1)
    static final class Check implements ContainerRequestFilter {
        private final List<String> roles;

        Check(List<String> roles) {
            this.roles = roles;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            var security = request.getSecurityContext();
            if (security.getUserPrincipal() == null && request.getProperty(BasicAuthentication.UNAVAILABLE) != null) {
                request.abortWith(Response.fromResponse(Problem.response(
                                Response.Status.SERVICE_UNAVAILABLE,
                                null,
                                "Credentials cannot be checked now: the database is unreachable. Try again shortly."))
                        .header("Retry-After", com.apintake.platform.boundary.UnavailableErrors.retryAfterSeconds())
                        .build());
                return;
            }
            Object throttled = request.getProperty(BasicAuthentication.THROTTLED);
            if (security.getUserPrincipal() == null && throttled != null) {
                request.abortWith(Response.fromResponse(Problem.response(
                                Response.Status.TOO_MANY_REQUESTS,
                                null,
                                "Too many failed logins for this user or from this address: try again in " + throttled
                                        + " s."))
                        .header(HttpHeaders.RETRY_AFTER, throttled.toString())
                        .build());
                return;
            }
            if (security.getUserPrincipal() == null) {
                // Jersey backs request properties with the servlet request's attributes.
                Object rejected = request.getProperty(BasicAuthentication.REJECTED);
                String detail = rejected != null
                        ? rejected.toString()
                        : "This endpoint needs credentials: HTTP Basic, e.g. curl -u <user> ...";
                request.abortWith(Response.fromResponse(Problem.response(Response.Status.UNAUTHORIZED, null, detail))
                        .header(HttpHeaders.WWW_AUTHENTICATE, BasicAuthentication.CHALLENGE)
                        .build());
                return;
            }
            for (String role : roles) {
                if (security.isUserInRole(role)) {
                    return;
                }
            }
            request.abortWith(Problem.response(
                    Response.Status.FORBIDDEN,
                    null,
                    roles.isEmpty()
                            ? "This endpoint is not open to anyone."
                            : "This needs one of the roles " + roles + "; known roles are " + Roles.ALL + "."));
        }
    }
}
