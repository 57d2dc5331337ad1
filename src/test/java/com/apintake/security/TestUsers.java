package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Http;
import java.net.URL;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One user per role for the security tests (clerk-only, approver-only, dba-only), created once per run through the API. */
final class TestUsers {

    private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

    private TestUsers() {}

    static synchronized void ensure(URL base) {
        for (String role : com.apintake.security.entity.Roles.ALL) {
            if (PASSWORDS.containsKey(role)) {
                continue;
            }
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            var created = Http.postJson(
                    base,
                    "/api/v1/users",
                    "{\"username\":\"" + name(role) + "\",\"password\":\"" + password + "\",\"roles\":[\"" + role
                            + "\"]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            PASSWORDS.put(role, password);
        }
    }

    static String name(String role) {
        return "it-" + role;
    }

    /** A caller holding only this role. */
    static Http.Client only(String role) {
        return Http.as(name(role), PASSWORDS.get(role));
    }
}
