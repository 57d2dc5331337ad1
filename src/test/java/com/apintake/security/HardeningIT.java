package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.entity.Roles;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.testsupport.RawHttp;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The findings of the black-box probe (issue 15), one test each, against the real server: each of
 * them failed on the code before the fix.
 */
@ExtendWith(ArquillianExtension.class)
class HardeningIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @BeforeEach
    void users() {
        TestUsers.ensure(base);
    }

    /** 1. Stored XSS: an invoice sent as text/html was served back as text/html, inline. */
    @Test
    void documentsAreServedAsDetectedAlwaysAsAttachments() {
        var clerk = TestUsers.only(Roles.CLERK);
        byte[] withScript = new String(SecurityIT.sample(SecurityIT.freshVat()), StandardCharsets.UTF_8)
                .replace(
                        "<cbc:Note>Thank you for your order.</cbc:Note>",
                        "<cbc:Note>Thank you</cbc:Note><script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script>")
                .getBytes(StandardCharsets.UTF_8);

        var html = clerk.post(base, "/api/v1/invoices?filename=x.html", "text/html", withScript);
        assertThat(html.status()).as(html.body()).isEqualTo(415);
        assertThat(html.contentType()).startsWith("application/problem+json");
        var declaredPdf = clerk.post(base, "/api/v1/invoices", "application/pdf", withScript);
        assertThat(declaredPdf.status()).as(declaredPdf.body()).isEqualTo(415);

        var upload =
                clerk.post(base, "/api/v1/invoices?filename=in%22voice.html", "application/octet-stream", withScript);
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        long id = upload.<JsonObject>json().getJsonNumber("id").longValue();
        assertThat(upload.<JsonObject>json().getString("contentType")).isEqualTo("application/xml");

        var document = clerk.get(base, "/api/v1/invoices/" + id + "/document");
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.contentType()).startsWith("application/xml");
        assertThat(document.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment; filename=\"in_voice.html\"");
        assertThat(document.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(document.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'")
                .contains("sandbox");
        assertThat(document.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    /** 2. Self-elevation: a dba-only user made itself an approver through PUT /users/itself. */
    @Test
    void nobodyGrantsThemselvesRoles() throws Exception {
        String dbaName = TestUsers.name(Roles.DBA);
        var dba = TestUsers.only(Roles.DBA);
        var elevated = dba.putJson(base, "/api/v1/users/" + dbaName, "{\"roles\":[\"dba\",\"ap-approver\"]}");
        assertThat(elevated.status()).as(elevated.body()).isEqualTo(403);
        assertThat(dba.get(base, "/api/v1/invoices").status()).isEqualTo(403);

        String adminName = TestUsers.name(Roles.USER_ADMIN);
        var userAdmin = TestUsers.only(Roles.USER_ADMIN);
        for (String change : List.of("{\"roles\":[\"user-admin\",\"ap-approver\"]}", "{\"enabled\":true}")) {
            var own = userAdmin.putJson(base, "/api/v1/users/" + adminName, change);
            assertThat(own.status()).as(own.body()).isEqualTo(403);
            assertThat(own.contentType()).startsWith("application/problem+json");
        }
        assertThat(userAdmin.get(base, "/api/v1/invoices").status()).isEqualTo(403);

        String other = "it-role-" + ThreadLocalRandom.current().nextInt(1_000_000);
        String password = HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));
        assertThat(userAdmin
                        .postJson(
                                base,
                                "/api/v1/users",
                                "{\"username\":\"" + other + "\",\"password\":\"" + password
                                        + "\",\"roles\":[\"ap-clerk\"]}")
                        .status())
                .isEqualTo(201);
        var promoted = userAdmin.putJson(base, "/api/v1/users/" + other, "{\"roles\":[\"ap-approver\"]}");
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        JsonObject audit = TestUsers.only(Roles.DBA)
                .get(base, "/api/v1/audit?action=user.update&actor=" + adminName)
                .json();
        assertThat(audit.getJsonArray("items").getValuesAs(JsonObject.class))
                .anyMatch(e -> e.getString("subject").equals(other)
                        && e.getString("detail").contains("roles ap-clerk -> ap-approver"));
        assertThat(userAdmin.delete(base, "/api/v1/users/" + other).status()).isEqualTo(204);
    }

    /** 3. Malformed or mistyped JSON answered 500; "maybe" read as false. */
    @Test
    void malformedOrMistypedJsonIsA400NamingTheField() {
        var admin = Http.admin();
        record Case(String method, String path, String body, String field) {}
        List<Case> cases = List.of(
                new Case("POST", "/api/v1/users", "{\"username\": ", "body"),
                new Case("POST", "/api/v1/users", "[]", "body"),
                new Case("POST", "/api/v1/users", "42", "body"),
                new Case("POST", "/api/v1/users", "{\"username\":\"a\",\"password\":{},\"roles\":[]}", "password"),
                new Case("POST", "/api/v1/users", "{\"username\":\"a\",\"password\":\"x\",\"roles\":\"dba\"}", "roles"),
                new Case(
                        "POST",
                        "/api/v1/users",
                        "{\"username\":\"a\",\"password\":\"x\",\"roles\":[null]}",
                        "roles[0]"),
                new Case("POST", "/api/v1/users", "{\"username\":\"a\",\"isAdmin\":true}", "isAdmin"),
                new Case("PUT", "/api/v1/users/" + TestUsers.name(Roles.CLERK), "{\"enabled\":\"maybe\"}", "enabled"),
                new Case("PUT", "/api/v1/users/" + TestUsers.name(Roles.CLERK), "{\"enabled\":1}", "enabled"),
                new Case("PUT", "/api/v1/users/" + TestUsers.name(Roles.CLERK), "{\"enabled\":\"yes\"}", "enabled"),
                new Case("POST", "/api/v1/vendors", "{\"name\": 5}", "name"),
                new Case("POST", "/api/v1/vendors", "{\"name\":\"x\",\"id\":\"7\"}", "id"),
                new Case("PUT", "/api/v1/vendors/1", "{\"name\":", "body"),
                new Case("POST", "/api/v1/invoices/1/approve", "{\"reason\":", "body"),
                new Case("POST", "/api/v1/invoices/1/reject", "{\"reason\":[]}", "reason"),
                new Case(
                        "POST",
                        "/api/v1/exceptions/1/resolve",
                        "{\"resolution\":\"x\",\"vendorId\":\"abc\"}",
                        "vendorId"),
                new Case("POST", "/api/v1/exceptions/1/resolve", "{\"resolution\":\"x\",\"vendorId\":1.5}", "vendorId"),
                new Case("POST", "/api/v1/exceptions/1/resolve", "{\"resolution\":\"x\",\"surprise\":1}", "surprise"));
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            var answer = admin.send(java.net.http.HttpRequest.newBuilder(Http.resolve(base, c.path()))
                    .header("Content-Type", "application/json")
                    .method(c.method(), java.net.http.HttpRequest.BodyPublishers.ofString(c.body())));
            if (answer.status() != 400
                    || !answer.contentType().startsWith("application/problem+json")
                    || !c.field().equals(answer.<JsonObject>json().getString("field", null))) {
                wrong.add(c + " -> " + answer.status() + " " + answer.body());
            }
        }
        var maybe = admin.get(base, "/api/v1/exceptions?resolved=maybe");
        if (maybe.status() != 400 || !"resolved".equals(maybe.<JsonObject>json().getString("field", null))) {
            wrong.add("?resolved=maybe -> " + maybe.status() + " " + maybe.body());
        }
        assertThat(wrong).isEmpty();

        // What older clients send keeps working: a resolvedBy is ignored, approve needs no body.
        var legacy = admin.postJson(
                base, "/api/v1/exceptions/999999999/resolve", "{\"resolution\":\"done\",\"resolvedBy\":\"old\"}");
        assertThat(legacy.status()).as(legacy.body()).isEqualTo(404);
    }

    /** 4. NUL and out-of-range values reached PostgreSQL and answered 500. */
    @Test
    void nulAndOutOfRangeValuesAre400() {
        var admin = Http.admin();
        List<String> wrong = new ArrayList<>();
        for (String path : List.of(
                "/api/v1/vendors?name=%00",
                "/api/v1/audit?actor=a%00b",
                "/api/v1/audit?action=%00",
                "/api/v1/invoices?from=" + enc("2026-01-01T00:00:00+18:00"),
                "/api/v1/invoices?to=" + enc("+300000-01-01T00:00:00Z"),
                "/api/v1/invoices?from=" + enc("-0001-01-01"),
                "/api/v1/analytics/exceptions?from=2026-01-01&to=" + enc("+300000-01-01"),
                "/api/v1/analytics/vendors?from=0000-12-31&to=2026-01-01",
                "/api/v1/exceptions?before=99999999999999999999",
                "/api/v1/vendors?limit=abc",
                "/api/v1/vendors?name=" + "x".repeat(300))) {
            var answer = admin.get(base, path);
            if (answer.status() != 400 || !answer.contentType().startsWith("application/problem+json")) {
                wrong.add(path + " -> " + answer.status() + " " + answer.body());
            }
        }
        var nulName = admin.postJson(base, "/api/v1/vendors", "{\"name\":\"bad\\u0000name\"}");
        if (nulName.status() != 400) {
            wrong.add("vendor name with NUL -> " + nulName.status() + " " + nulName.body());
        }
        var nulFile = admin.post(
                base,
                "/api/v1/invoices?filename=a%00.xml",
                "application/xml",
                SecurityIT.sample(SecurityIT.freshVat()));
        if (nulFile.status() != 400) {
            wrong.add("filename with NUL -> " + nulFile.status() + " " + nulFile.body());
        }
        assertThat(wrong).isEmpty();
    }

    /** 5. A NUL in the Basic user name answered 503 "database unreachable". */
    @Test
    void aNulInTheUserNameIs401() {
        var answer = RawHttp.get(base, "127.0.0.5", "/api/v1/invoices", RawHttp.basic("x\0", "y"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.header("WWW-Authenticate")).startsWith("Basic");
    }

    /** 6. The Host header came back in the next links of paged lists. */
    @Test
    void linksNeverComeFromTheHostHeader() {
        var answer = RawHttp.get(
                base,
                "127.0.0.1",
                "/api/v1/audit?limit=1",
                "Host: evil.example",
                RawHttp.basic(TestEnvironment.ADMIN_USER, TestEnvironment.adminPassword()));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).doesNotContain("evil.example").contains("\"next\":\"/api/v1/audit?");

        var created = RawHttp.get(
                base,
                "127.0.0.1",
                "/api/v1/invoices?limit=1",
                "Host: evil.example",
                RawHttp.basic(TestEnvironment.ADMIN_USER, TestEnvironment.adminPassword()));
        assertThat(created.body()).doesNotContain("evil.example");

        // Nor the Location of an upload, synchronous or asynchronous (202).
        for (String prefer : List.of("Prefer: return=minimal", "Prefer: respond-async")) {
            var upload = RawHttp.post(
                    base,
                    "127.0.0.1",
                    "/api/v1/invoices",
                    InvoiceSamples.mutated(InvoiceSamples.UBL_INVOICE, "INV-2024-0042", "INV-HOST-" + System.nanoTime())
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "Host: evil.example",
                    "Content-Type: application/xml",
                    prefer,
                    RawHttp.basic(TestEnvironment.ADMIN_USER, TestEnvironment.adminPassword()));
            assertThat(upload.status()).as(upload.body()).isIn(201, 202);
            assertThat(upload.header("Location")).as(prefer).startsWith("/api/v1/invoices/");
        }
    }

    /** 7. No nosniff, no no-store; /openapi open to anonymous callers. */
    @Test
    void hardeningHeadersOnEveryAnswer() {
        var answer = Http.admin().get(base, "/api/v1/vendors?limit=1");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(answer.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
        var anonymous = Http.anonymous().get(base, "/api/v1/vendors");
        assertThat(anonymous.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        var openApi = Http.anonymous().get(base, "/openapi");
        assertThat(openApi.status()).as(openApi.body()).isEqualTo(401);
        assertThat(openApi.contentType()).startsWith("application/problem+json");
        assertThat(openApi.headers().firstValue("WWW-Authenticate")).isPresent();
        var described = TestUsers.only(Roles.CLERK).get(base, "/openapi");
        assertThat(described.status()).isEqualTo(200);
        assertThat(described.body()).contains("/api/v1/invoices");
        assertThat(Http.as("nobody-here", "wrong-password")
                        .get(base, "/openapi")
                        .status())
                .isEqualTo(401);
    }

    /** 8. No brake on password guessing; a 2 MB password was accepted and hashed. */
    @Test
    void passwordGuessingIsBraked() throws Exception {
        String name = "it-guess-" + ThreadLocalRandom.current().nextInt(1_000_000);
        String password = HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));
        var userAdmin = Http.admin();
        assertThat(userAdmin
                        .postJson(
                                base,
                                "/api/v1/users",
                                "{\"username\":\"" + name + "\",\"password\":\"" + password
                                        + "\",\"roles\":[\"ap-clerk\"]}")
                        .status())
                .isEqualTo(201);
        // From 127.0.0.3: this client's failures do not count against 127.0.0.1, which every other test uses.
        for (int i = 0; i < 5; i++) {
            assertThat(RawHttp.get(base, "127.0.0.3", "/api/v1/vendors", RawHttp.basic(name, "wrong-" + i))
                            .status())
                    .isEqualTo(401);
        }
        var throttled = RawHttp.get(base, "127.0.0.6", "/api/v1/vendors", RawHttp.basic(name, password));
        assertThat(throttled.status()).as(throttled.body()).isEqualTo(429);
        assertThat(throttled.header("Content-Type")).startsWith("application/problem+json");
        long retryAfter = Long.parseLong(throttled.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 2L);
        Thread.sleep(retryAfter * 1000 + 200);
        assertThat(RawHttp.get(base, "127.0.0.6", "/api/v1/vendors", RawHttp.basic(name, password))
                        .status())
                .isEqualTo(200);

        JsonObject failed = TestUsers.only(Roles.DBA)
                .get(base, "/api/v1/audit?action=login.failed&limit=10")
                .json();
        assertThat(failed.getJsonArray("items").getValuesAs(JsonObject.class))
                .filteredOn(e -> e.getString("subject").equals(name))
                .hasSize(5)
                .allMatch(e -> e.getString("detail").contains("client 127.0.0.3"));
        JsonObject throttles = TestUsers.only(Roles.DBA)
                .get(base, "/api/v1/audit?action=login.throttled&limit=10")
                .json();
        assertThat(throttles.getJsonArray("items").getValuesAs(JsonObject.class))
                .anyMatch(e -> e.getString("subject").equals(name));

        // Per client: 20 failures from one address (unknown names, each still costing a hash) stop even a right
        // password from there.
        for (int i = 0; i < 20; i++) {
            assertThat(RawHttp.get(base, "127.0.0.4", "/api/v1/vendors", RawHttp.basic("nobody-" + i, "x"))
                            .status())
                    .isEqualTo(401);
        }
        assertThat(RawHttp.get(base, "127.0.0.4", "/api/v1/vendors", RawHttp.basic(name, password + "!"))
                        .status())
                .isEqualTo(429);
        assertThat(RawHttp.get(base, "127.0.0.7", "/api/v1/vendors", RawHttp.basic(name, password))
                        .status())
                .isEqualTo(200);

        var huge = userAdmin.postJson(
                base,
                "/api/v1/users",
                "{\"username\":\"it-huge\",\"password\":\"" + "p".repeat(2000) + "\",\"roles\":[\"ap-clerk\"]}");
        assertThat(huge.status()).as(huge.body()).isEqualTo(400);
        assertThat(huge.body()).doesNotContain("pppp");
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
