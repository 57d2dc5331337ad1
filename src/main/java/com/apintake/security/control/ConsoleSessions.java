package com.apintake.security.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The console's login sessions. The password is checked once, at login, by the same identity store
 * that checks HTTP Basic (so its rules, caching and backoff apply alike); the session then holds only
 * the user name, the roles and a CSRF token. Roles and the enabled flag are read again from the user
 * table at most every apintake.console.session-recheck-seconds, so a disabled or demoted user loses
 * the session's rights within that time.
 */
@ApplicationScoped
public class ConsoleSessions {

    static final String USER = ConsoleSessions.class.getName() + ".user";
    static final String ROLES = ConsoleSessions.class.getName() + ".roles";
    static final String CHECKED = ConsoleSessions.class.getName() + ".checked";
    static final String TOKEN = ConsoleSessions.class.getName() + ".csrf";

    /** The header (or form field) every state-changing request of a session must carry. */
    public static final String CSRF_HEADER = "X-CSRF-Token";

    public static final String CSRF_FIELD = "csrf";

    /** The password could not be checked at all (the user store is the database). */
    public static class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** Logins were refused too often for this user or client: try again after the given seconds. */
    public static class Throttled extends RuntimeException {
        private final long retryAfterSeconds;

        public Throttled(long retryAfterSeconds) {
            super("Too many failed logins: try again in " + retryAfterSeconds + " s.");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** The one credential check of every login path, so the login backoff per user and client applies here too. */
    @Inject
    CredentialCheck credentials;

    @Inject
    Users users;

    @Inject
    @ConfigProperty(name = "apintake.console.session-minutes", defaultValue = "30")
    int sessionMinutes;

    @Inject
    @ConfigProperty(name = "apintake.console.session-recheck-seconds", defaultValue = "60")
    long recheckSeconds;

    private final SecureRandom random = new SecureRandom();

    /**
     * Checks the password; on success replaces any earlier session by a new one (no session fixation)
     * and answers the roles. Empty when the credentials are not accepted.
     */
    public Optional<Set<String>> login(HttpServletRequest request, String username, String password) {
        CredentialCheck.Outcome outcome;
        try {
            outcome = credentials.check(username, password.toCharArray(), request.getRemoteAddr());
        } catch (RuntimeException e) {
            throw new Unavailable("Credentials cannot be checked now: the database is unreachable.");
        }
        if (outcome instanceof CredentialCheck.Throttled throttled) {
            throw new Throttled(throttled.retryAfterSeconds());
        }
        if (!(outcome instanceof CredentialCheck.Valid valid)) {
            return Optional.empty();
        }
        CredentialValidationResult result = valid.result();
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = request.getSession(true);
        session.setMaxInactiveInterval(sessionMinutes * 60);
        Set<String> roles = Set.copyOf(result.getCallerGroups());
        session.setAttribute(USER, result.getCallerPrincipal().getName());
        session.setAttribute(ROLES, roles);
        session.setAttribute(CHECKED, System.nanoTime());
        session.setAttribute(TOKEN, newToken());
        return Optional.of(roles);
    }

    public void logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
    }

    /** Who a console session runs as: the user and the roles (reported to the container as groups). */
    public record Resumed(String user, Set<String> roles) {}

    /**
     * Called by the authentication module for a request without credentials: the session's user and
     * roles, or empty when the request has no logged-in session (it then runs anonymously).
     */
    @SuppressWarnings("unchecked")
    public Optional<Resumed> resume(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute(USER) == null) {
            return Optional.empty();
        }
        String user = (String) session.getAttribute(USER);
        Set<String> roles = (Set<String>) session.getAttribute(ROLES);
        long checked = (Long) session.getAttribute(CHECKED);
        if (System.nanoTime() - checked > recheckSeconds * 1_000_000_000L) {
            Optional<Users.Credentials> current;
            try {
                current = users.credentials(user);
            } catch (RuntimeException e) {
                // Unknown now: carry on with what the session knew until the database answers again.
                return Optional.of(new Resumed(user, roles));
            }
            if (current.isEmpty() || !current.get().enabled()) {
                session.invalidate();
                return Optional.empty();
            }
            roles = Set.copyOf(current.get().roles());
            session.setAttribute(ROLES, roles);
            session.setAttribute(CHECKED, System.nanoTime());
        }
        return Optional.of(new Resumed(user, roles));
    }

    /** The session's CSRF token; a session without a login gets one too (for the login form itself). */
    public String token(HttpServletRequest request, boolean create) {
        HttpSession session = request.getSession(create);
        if (session == null) {
            return null;
        }
        String token = (String) session.getAttribute(TOKEN);
        if (token == null) {
            token = newToken();
            session.setAttribute(TOKEN, token);
        }
        return token;
    }

    /** Whether this request was authenticated by a console session (not by credentials it carries). */
    public boolean bySession(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(USER) != null && request.getHeader("Authorization") == null;
    }

    /** Compares in constant time; false when either side is missing. */
    public boolean tokenMatches(HttpServletRequest request, String given) {
        HttpSession session = request.getSession(false);
        String expected = session == null ? null : (String) session.getAttribute(TOKEN);
        return expected != null
                && given != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
