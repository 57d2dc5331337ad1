package com.apintake.security.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The identity store: users and roles from the database (users, user_roles), passwords checked
 * against their PBKDF2 hashes. HTTP Basic sends the password with every request and PBKDF2 is slow
 * on purpose, so a successful check is remembered for apintake.security.credential-cache-seconds:
 * as an HMAC of the password under a key that lives only in this process, never the password itself.
 * A change to the user (password, roles, disabled, deleted) forgets it at once.
 */
@ApplicationScoped
public class UserStore implements IdentityStore {

    private record Verified(byte[] proof, Set<String> roles, long expiresAtNanos) {}

    @Inject
    Users users;

    @Inject
    Passwords passwords;

    @Inject
    @ConfigProperty(name = "apintake.security.credential-cache-seconds", defaultValue = "60")
    long cacheSeconds;

    private final byte[] key = new SecureRandom().generateSeed(32);
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof UsernamePasswordCredential login)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        String username = login.getCaller();
        char[] password = login.getPassword().getValue();
        byte[] proof = proof(username, password);
        Verified known = verified.get(username);
        if (known != null
                && known.expiresAtNanos() - System.nanoTime() > 0
                && MessageDigest.isEqual(known.proof(), proof)) {
            return new CredentialValidationResult(username, known.roles());
        }
        var stored = users.credentials(username);
        boolean valid = stored.isPresent()
                ? passwords.verify(password, stored.get().passwordHash())
                : passwords.verifyNothing(password);
        if (!valid || !stored.get().enabled()) {
            return CredentialValidationResult.INVALID_RESULT;
        }
        Set<String> roles = stored.get().roles();
        if (cacheSeconds > 0) {
            verified.put(username, new Verified(proof, roles, System.nanoTime() + cacheSeconds * 1_000_000_000L));
        }
        return new CredentialValidationResult(username, roles);
    }

    /** Called when a user changes: the next request checks the password against the database again. */
    public void forget(String username) {
        verified.remove(username);
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
