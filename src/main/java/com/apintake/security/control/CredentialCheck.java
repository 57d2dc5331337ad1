package com.apintake.security.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.security.entity.LoginBackoff;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * THE credential check: every way of logging in (HTTP Basic, a console login page) calls
 * {@link #check(String, char[], String)}, so the brakes apply to all of them alike:
 *
 * <ul>
 *   <li>a password longer than apintake.security.max-password-length is refused unhashed;
 *   <li>an unknown (or impossible) user name costs one PBKDF2 run like a wrong password, so the
 *       answer time does not tell which names exist;
 *   <li>failures are counted per user name and per client address in PostgreSQL (login_failures),
 *       so several instances behind one database brake together; past a threshold every login of that
 *       user, or from that client, is refused for an exponentially growing delay, right password or not;
 *   <li>failures and the start of each delay go to the audit trail.
 * </ul>
 *
 * A successful check is remembered for apintake.security.credential-cache-seconds (an HMAC of the
 * password under a per-process key, never the password), so Basic auth costs no PBKDF2 run per request.
 */
@ApplicationScoped
public class CredentialCheck {

    /** What a login attempt came to. */
    public sealed interface Outcome {}

    /** The credentials are right: log the user in with these roles. */
    public record Valid(CredentialValidationResult result) implements Outcome {}

    /** Wrong user name or password (or a disabled user): the same answer for each, so none is revealed. */
    public record Invalid() implements Outcome {}

    /** Too many failures: refused without a look at the password; try again after retryAfterSeconds. */
    public record Throttled(long retryAfterSeconds) implements Outcome {}

    /** What Users.create accepts: anything else cannot be a user, so it is not looked up at all. */
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private record Verified(byte[] proof, Set<String> roles, long expiresAtNanos) {}

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Users users;

    @Inject
    Passwords passwords;

    @Inject
    AuditTrail audit;

    @Inject
    @ConfigProperty(name = "apintake.security.credential-cache-seconds", defaultValue = "60")
    long cacheSeconds;

    @Inject
    @ConfigProperty(name = "apintake.security.login.user-threshold", defaultValue = "5")
    int userThreshold;

    @Inject
    @ConfigProperty(name = "apintake.security.login.client-threshold", defaultValue = "20")
    int clientThreshold;

    @Inject
    @ConfigProperty(name = "apintake.security.login.base-delay-seconds", defaultValue = "1")
    long baseDelaySeconds;

    @Inject
    @ConfigProperty(name = "apintake.security.login.max-delay-seconds", defaultValue = "900")
    long maxDelaySeconds;

    @Inject
    @ConfigProperty(name = "apintake.security.login.reset-seconds", defaultValue = "3600")
    long resetSeconds;

    private final byte[] key = new SecureRandom().generateSeed(32);
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final SingleFlight<String, Outcome> checks = new SingleFlight<>();
    private LoginBackoff userBackoff;
    private LoginBackoff clientBackoff;

    @PostConstruct
    void configure() {
        userBackoff = new LoginBackoff(userThreshold, baseDelaySeconds, maxDelaySeconds);
        clientBackoff = new LoginBackoff(clientThreshold, baseDelaySeconds, maxDelaySeconds);
    }

    /**
     * Checks a user name and password. client is the caller's network address (null when unknown: then
     * only the per-user brake applies). Throws IllegalStateException when the database cannot be asked.
     */
    public Outcome check(String username, char[] password, String client) {
        byte[] proof = proof(username, password);
        Verified known = verified.get(username);
        if (known != null
                && known.expiresAtNanos() - System.nanoTime() > 0
                && MessageDigest.isEqual(known.proof(), proof)) {
            return new Valid(new CredentialValidationResult(username, known.roles()));
        }
        // Concurrent requests with the same name, password and client share one check (one PBKDF2 run).
        String flight = username + '\u0000' + java.util.HexFormat.of().formatHex(proof) + '\u0000' + client;
        return checks.run(flight, () -> checkAgainstDatabase(username, password, client, proof));
    }

    private Outcome checkAgainstDatabase(String username, char[] password, String client, byte[] proof) {
        boolean possible = USERNAME.matcher(username).matches();
        String userKey = possible ? username : null;
        String clientKey = client == null || client.isBlank() ? null : client;
        long blocked = blockedSeconds(userKey, clientKey);
        if (blocked > 0) {
            return new Throttled(blocked);
        }
        if (password.length > passwords.maxLength()) {
            failed(username, userKey, clientKey, "password longer than " + passwords.maxLength());
            return new Invalid();
        }
        var stored = possible ? users.credentials(username) : java.util.Optional.<Users.Credentials>empty();
        boolean valid = stored.isPresent()
                ? passwords.verify(password, stored.get().passwordHash())
                : passwords.verifyNothing(password);
        if (!valid || !stored.get().enabled()) {
            failed(
                    username,
                    userKey,
                    clientKey,
                    stored.isEmpty() ? "unknown user" : valid ? "disabled" : "wrong password");
            return new Invalid();
        }
        succeeded(userKey);
        Set<String> roles = stored.get().roles();
        if (cacheSeconds > 0) {
            verified.put(username, new Verified(proof, roles, System.nanoTime() + cacheSeconds * 1_000_000_000L));
        }
        return new Valid(new CredentialValidationResult(username, roles));
    }

    /** Called when a user changes: the next request checks the password against the database again. */
    public void forget(String username) {
        verified.remove(username);
    }

    private long blockedSeconds(String userKey, String clientKey) {
        if (userKey == null && clientKey == null) {
            return 0;
        }
        String sql = """
                SELECT coalesce(max(ceil(extract(epoch FROM blocked_until - now()))), 0)
                FROM login_failures
                WHERE blocked_until > now()
                  AND ((kind = 'user' AND key = ?) OR (kind = 'client' AND key = ?))""";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            statement.setString(1, userKey);
            statement.setString(2, clientKey);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the login failures failed", e);
        }
    }

    private void failed(String username, String userKey, String clientKey, String why) {
        String subject = quotable(username);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int userFailures = userKey == null ? 0 : count(connection, "user", userKey, userBackoff);
                int clientFailures = clientKey == null ? 0 : count(connection, "client", clientKey, clientBackoff);
                audit.record(
                        connection,
                        "login.failed",
                        subject,
                        why + "; client " + (clientKey == null ? "unknown" : clientKey) + "; failures in a row: user "
                                + userFailures + ", client " + clientFailures);
                long userDelay = userBackoff.delaySeconds(userFailures);
                long clientDelay = clientBackoff.delaySeconds(clientFailures);
                if (userDelay > 0 || clientDelay > 0) {
                    audit.record(
                            connection,
                            "login.throttled",
                            subject,
                            (userDelay > 0 ? "user refused for " + userDelay + " s; " : "")
                                    + (clientDelay > 0
                                            ? "client " + clientKey + " refused for " + clientDelay + " s"
                                            : ""));
                }
                try (var purge = connection.prepareStatement(
                        "DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(secs => ?)"
                                + " AND (blocked_until IS NULL OR blocked_until < now())")) {
                    purge.setLong(1, resetSeconds);
                    purge.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Recording a failed login failed", e);
        }
    }

    /** One more failure in a row (the count restarts after reset-seconds without one); sets the block it earns. */
    private int count(Connection connection, String kind, String key, LoginBackoff backoff) throws SQLException {
        int failures;
        try (var upsert = connection.prepareStatement("""
                INSERT INTO login_failures AS f (kind, key, failures) VALUES (?, ?, 1)
                ON CONFLICT (kind, key) DO UPDATE SET
                    failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => ?) THEN 1
                                    ELSE f.failures + 1 END,
                    last_failure_at = now()
                RETURNING failures""")) {
            upsert.setString(1, kind);
            upsert.setString(2, key);
            upsert.setLong(3, resetSeconds);
            try (var rows = upsert.executeQuery()) {
                rows.next();
                failures = rows.getInt(1);
            }
        }
        long delay = backoff.delaySeconds(failures);
        if (delay > 0) {
            try (var block = connection.prepareStatement("UPDATE login_failures SET blocked_until = now()"
                    + " + make_interval(secs => ?) WHERE kind = ? AND key = ?")) {
                block.setLong(1, delay);
                block.setString(2, kind);
                block.setString(3, key);
                block.executeUpdate();
            }
        }
        return failures;
    }

    private void succeeded(String userKey) {
        try (Connection connection = dataSource.getConnection();
                var reset = connection.prepareStatement("DELETE FROM login_failures WHERE kind = 'user' AND key = ?")) {
            reset.setString(1, userKey);
            reset.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Resetting the login failures failed", e);
        }
    }

    /** A name as the audit trail may hold it: no control characters (PostgreSQL refuses NUL), at most 64 characters. */
    static String quotable(String name) {
        StringBuilder safe = new StringBuilder();
        name.codePoints().limit(64).forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return safe.isEmpty() ? "?" : safe.toString();
    }

    private byte[] proof(String username, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            mac.update(bytes);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
