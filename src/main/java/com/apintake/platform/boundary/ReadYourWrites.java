package com.apintake.platform.boundary;

import com.apintake.platform.control.ReadAfter;
import com.apintake.platform.control.ReadSource;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Read-your-writes on top of the replica: a successful write answers with the primary's WAL position in
 * X-Read-After and in a cookie of the same name (so the console's browser sends it back by itself); a
 * read that carries it (header first, else cookie) uses the replica only once the replica has replayed
 * that far, else the primary ({@link ReadSource}). Without a replica nothing is added.
 */
@Provider
public class ReadYourWrites implements ContainerRequestFilter, ContainerResponseFilter {

    public static final String HEADER = "X-Read-After";
    public static final String COOKIE = "apintake-read-after";

    private static final Logger LOG = Logger.getLogger(ReadYourWrites.class.getName());
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    ReadAfter after;

    @Inject
    ReadSource reads;

    /** How long a client keeps its position (the cookie's Max-Age): its writes reach a replica in sync well within it. */
    @Inject
    @ConfigProperty(name = "apintake.replica.read-your-writes-seconds", defaultValue = "300")
    int keepSeconds;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HEADER);
        if (header != null) {
            if (!ReadAfter.valid(header.strip())) {
                request.abortWith(Problem.response(
                        Response.Status.BAD_REQUEST,
                        null,
                        HEADER + " must be a WAL position as a write answered it, like 0/3A2B1C8."));
                return;
            }
            after.lsn(header.strip());
            return;
        }
        // A cookie is sent by the browser on its own: a stale or damaged one is ignored, not refused.
        Cookie cookie = request.getCookies().get(COOKIE);
        if (cookie != null && ReadAfter.valid(cookie.getValue())) {
            after.lsn(cookie.getValue());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (SAFE.contains(request.getMethod()) || response.getStatus() >= 400) {
            return;
        }
        try {
            reads.writePosition().ifPresent(position -> {
                response.getHeaders().putSingle(HEADER, position);
                response.getHeaders()
                        .add(
                                "Set-Cookie",
                                new NewCookie.Builder(COOKIE)
                                        .value(position)
                                        .path("/")
                                        .maxAge(keepSeconds)
                                        .httpOnly(true)
                                        .secure(request.getSecurityContext().isSecure())
                                        .sameSite(NewCookie.SameSite.STRICT)
                                        .build());
            });
        } catch (SQLException | RuntimeException e) {
            // The write itself succeeded; without a position the client's next reads may be a moment behind.
            LOG.log(Level.FINE, "No WAL position for read-your-writes", e);
        }
    }
}
