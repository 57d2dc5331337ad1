package com.apintake.security.boundary;

import com.apintake.security.control.ConsoleSessions;
import com.apintake.security.control.CredentialCheck;
import jakarta.security.auth.message.AuthException;
import jakarta.security.auth.message.AuthStatus;
import jakarta.security.auth.message.MessageInfo;
import jakarta.security.auth.message.MessagePolicy;
import jakarta.security.auth.message.callback.CallerPrincipalCallback;
import jakarta.security.auth.message.callback.GroupPrincipalCallback;
import jakarta.security.auth.message.module.ServerAuthModule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * The application's Jakarta Authentication module (a ServerAuthModule, registered for this web module
 * by {@link AuthenticationRegistration}): HTTP Basic for curl and scripts (use it over TLS only), else
 * the console's login session. A request with valid credentials runs as that user; a request without
 * them runs anonymously, and {@link RoleCheck} answers 401 with the challenge and a problem body where
 * an endpoint needs a role. Rejected credentials are marked on the request so that answer can say why,
 * instead of the container's HTML error page.
 *
 * <p>It replaces a Jakarta Security HttpAuthenticationMechanism behind Soteria's JASPIC bridge, which
 * looked the mechanism bean up in CDI (a JNDI look-up of the BeanManager) twice per request; this module
 * holds its two controls from start-up and reports the caller and groups to the container itself
 * (docs/auth-module.md). Not a CDI bean: the container calls it, one instance per web module.
 */
public class BasicAuthentication implements ServerAuthModule {

    public static final String REALM = "ap-intake";
    public static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";

    /** Request attribute: why the credentials sent were not accepted. */
    static final String REJECTED = BasicAuthentication.class.getName() + ".rejected";

    /** Request attribute: the credentials could not be checked at all (the database is unreachable). */
    static final String UNAVAILABLE = BasicAuthentication.class.getName() + ".unavailable";

    /** Request attribute: seconds until logins of this user or client are accepted again (the login backoff). */
    static final String THROTTLED = BasicAuthentication.class.getName() + ".throttled";

    private static final Logger LOG = Logger.getLogger(BasicAuthentication.class.getName());

    private static final Class<?>[] MESSAGE_TYPES = {HttpServletRequest.class, HttpServletResponse.class};

    private final CredentialCheck credentials;
    private final ConsoleSessions consoleSessions;
    private CallbackHandler container;

    /** The two controls are CDI proxies of application-scoped beans, resolved once at start-up. */
    public BasicAuthentication(CredentialCheck credentials, ConsoleSessions consoleSessions) {
        this.credentials = credentials;
        this.consoleSessions = consoleSessions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void initialize(
            MessagePolicy requestPolicy, MessagePolicy responsePolicy, CallbackHandler handler, Map options) {
        this.container = handler;
    }

    @Override
    public Class<?>[] getSupportedMessageTypes() {
        return MESSAGE_TYPES.clone();
    }

    @Override
    public AuthStatus validateRequest(MessageInfo message, Subject client, Subject service) throws AuthException {
        HttpServletRequest request = (HttpServletRequest) message.getRequestMessage();
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            // No credentials sent: the web console's login session, if there is one.
            Optional<ConsoleSessions.Resumed> session = consoleSessions.resume(request);
            if (session.isPresent()) {
                return loggedIn(
                        client, null, session.get().user(), session.get().roles());
            }
            return anonymous(client);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.setAttribute(REJECTED, "The Authorization header is not valid Basic credentials.");
            return anonymous(client);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            request.setAttribute(REJECTED, "The Authorization header is not valid Basic credentials.");
            return anonymous(client);
        }
        CredentialCheck.Outcome outcome;
        try {
            outcome = credentials.check(
                    decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray(), request.getRemoteAddr());
        } catch (RuntimeException e) {
            // The user store is the database: when it is down, the API answers 503 and the probes still answer.
            LOG.warning("Credentials could not be checked: " + e.getMessage());
            request.setAttribute(UNAVAILABLE, Boolean.TRUE);
            return anonymous(client);
        }
        if (outcome instanceof CredentialCheck.Valid valid) {
            Principal caller = valid.result().getCallerPrincipal();
            return loggedIn(client, caller, caller.getName(), valid.result().getCallerGroups());
        }
        if (outcome instanceof CredentialCheck.Throttled throttled) {
            request.setAttribute(THROTTLED, throttled.retryAfterSeconds());
            return anonymous(client);
        }
        request.setAttribute(REJECTED, "The user name or password was not accepted.");
        return anonymous(client);
    }

    /** Nothing to add to a response: no session of the container's, no headers (RoleCheck sets the challenge). */
    @Override
    public AuthStatus secureResponse(MessageInfo message, Subject service) {
        return AuthStatus.SEND_SUCCESS;
    }

    @Override
    public void cleanSubject(MessageInfo message, Subject subject) {
        if (subject != null) {
            subject.getPrincipals().clear();
        }
    }

    /**
     * The caller (the principal the identity check made, or else the name) and its roles as groups;
     * payara-web.xml maps each group to the role of the same name.
     */
    private AuthStatus loggedIn(Subject client, Principal principal, String name, Set<String> groups)
            throws AuthException {
        CallerPrincipalCallback caller = principal != null
                ? new CallerPrincipalCallback(client, principal)
                : new CallerPrincipalCallback(client, name);
        Callback[] callbacks = groups == null || groups.isEmpty()
                ? new Callback[] {caller}
                : new Callback[] {caller, new GroupPrincipalCallback(client, groups.toArray(String[]::new))};
        handle(callbacks);
        return AuthStatus.SUCCESS;
    }

    /** The Jakarta Authentication way of "no caller": a null caller principal, and SUCCESS, so the request goes on. */
    private AuthStatus anonymous(Subject client) throws AuthException {
        handle(new Callback[] {new CallerPrincipalCallback(client, (String) null)});
        return AuthStatus.SUCCESS;
    }

    private void handle(Callback[] callbacks) throws AuthException {
        try {
            container.handle(callbacks);
        } catch (IOException | UnsupportedCallbackException e) {
            AuthException failure = new AuthException("The container refused the caller: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }
}
