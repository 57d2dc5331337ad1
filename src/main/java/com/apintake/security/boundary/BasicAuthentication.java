package com.apintake.security.boundary;

import com.apintake.security.control.CredentialCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.logging.Logger;

/**
 * HTTP Basic for curl and scripts (use it over TLS only). A request with valid credentials runs as
 * that user; a request without them runs anonymously, and {@link RoleCheck} answers 401 with the
 * challenge and a problem body where an endpoint needs a role. Rejected credentials are marked on the
 * request so that answer can say why, instead of the container's HTML error page.
 */
@ApplicationScoped
public class BasicAuthentication implements HttpAuthenticationMechanism {

    public static final String REALM = "ap-intake";
    public static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";

    /** Request attribute: why the credentials sent were not accepted. */
    static final String REJECTED = BasicAuthentication.class.getName() + ".rejected";

    /** Request attribute: the credentials could not be checked at all (the database is unreachable). */
    static final String UNAVAILABLE = BasicAuthentication.class.getName() + ".unavailable";

    private static final Logger LOG = Logger.getLogger(BasicAuthentication.class.getName());

    /** Request attribute: seconds until logins of this user or client are accepted again (the login backoff). */
    static final String THROTTLED = BasicAuthentication.class.getName() + ".throttled";

    @Inject
    CredentialCheck credentials;

    @Inject
    com.apintake.security.control.ConsoleSessions consoleSessions;

    @Override
    public AuthenticationStatus validateRequest(
            HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            // No credentials sent: the web console's login session, if there is one.
            return consoleSessions.resume(request, context);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.setAttribute(REJECTED, "The Authorization header is not valid Basic credentials.");
            return context.doNothing();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            request.setAttribute(REJECTED, "The Authorization header is not valid Basic credentials.");
            return context.doNothing();
        }
        CredentialCheck.Outcome outcome;
        try {
            outcome = credentials.check(
                    decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray(), request.getRemoteAddr());
        } catch (RuntimeException e) {
            // The user store is the database: when it is down, the API answers 503 and the probes still answer.
            LOG.warning("Credentials could not be checked: " + e.getMessage());
            request.setAttribute(UNAVAILABLE, Boolean.TRUE);
            return context.doNothing();
        }
        if (outcome instanceof CredentialCheck.Valid valid) {
            return context.notifyContainerAboutLogin(valid.result());
        }
        if (outcome instanceof CredentialCheck.Throttled throttled) {
            request.setAttribute(THROTTLED, throttled.retryAfterSeconds());
            return context.doNothing();
        }
        request.setAttribute(REJECTED, "The user name or password was not accepted.");
        return context.doNothing();
    }
}
