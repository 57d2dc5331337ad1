package com.apintake.security.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Password hashing with Jakarta Security's Pbkdf2PasswordHash: PBKDF2-HMAC-SHA512, a fresh 32-byte
 * salt per password, apintake.security.pbkdf2-iterations rounds (OWASP's 2023 figure for SHA-512 by
 * default). A stored hash carries its own algorithm, rounds and salt, so raising the rounds affects
 * new and changed passwords only.
 */
@ApplicationScoped
public class Passwords {

    @Inject
    Pbkdf2PasswordHash hash;

    @Inject
    @ConfigProperty(name = "apintake.security.pbkdf2-iterations", defaultValue = "210000")
    int iterations;

    @Inject
    @ConfigProperty(name = "apintake.security.min-password-length", defaultValue = "12")
    int minLength;

    @Inject
    @ConfigProperty(name = "apintake.security.max-password-length", defaultValue = "1024")
    int maxLength;

    /** Verified against when a user name is unknown, so an unknown name costs as long as a wrong password. */
    private String decoy;

    @PostConstruct
    void configure() {
        hash.initialize(Map.of(
                "Pbkdf2PasswordHash.Algorithm", "PBKDF2WithHmacSHA512",
                "Pbkdf2PasswordHash.Iterations", Integer.toString(iterations),
                "Pbkdf2PasswordHash.SaltSizeBytes", "32",
                "Pbkdf2PasswordHash.KeySizeBytes", "64"));
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        decoy = hash.generate(HexFormat.of().formatHex(random).toCharArray());
    }

    public String hash(char[] password) {
        return hash.generate(password);
    }

    public boolean verify(char[] password, String stored) {
        return hash.verify(password, stored);
    }

    /** Longest password accepted (in UTF-16 units, as Java counts): longer ones are refused before any hashing. */
    public int maxLength() {
        return maxLength;
    }

    /** Spends the time of a verification and answers false. */
    public boolean verifyNothing(char[] password) {
        hash.verify(password, decoy);
        return false;
    }

    /** Why a new password is refused, or null when it is acceptable. */
    public String weakness(String password) {
        if (password == null || password.codePointCount(0, password.length()) < minLength) {
            return "A password needs at least " + minLength + " characters (apintake.security.min-password-length).";
        }
        if (password.length() > maxLength) {
            return "A password may have at most " + maxLength + " characters (apintake.security.max-password-length).";
        }
        if (password.isBlank()) {
            return "A password must not be only spaces.";
        }
        return null;
    }
}
