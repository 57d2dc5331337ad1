package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.entity.Roles;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Authentication, the role table, users, the audit trail and the user on the rows, over HTTP against the real server. */
@ExtendWith(ArquillianExtension.class)
class SecurityIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    static final String SAMPLE_IBAN = "DE89370400440532013000";

    @BeforeEach
    void users() {
        TestUsers.ensure(base);
    }

    @Test
    void anonymousGets401WithTheChallengeAsProblemJson() {
        var answer = Http.anonymous().get(base, "/api/v1/invoices");
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers().firstValue("WWW-Authenticate"))
                .hasValue("Basic realm=\"ap-intake\", charset=\"UTF-8\"");
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.<JsonObject>json().getInt("status")).isEqualTo(401);
        assertThat(answer.<JsonObject>json().getString("detail")).contains("credentials");
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIs401() {
        for (var client : List.of(
                Http.as(TestEnvironment.ADMIN_USER, "not-the-password"), Http.as("nobody-here", "whatever-password"))) {
            var answer = client.get(base, "/api/v1/invoices");
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(answer.<JsonObject>json().getString("detail")).contains("not accepted");
        }
    }

    @Test
    void healthAndMetricsStayOpen() {
        assertThat(Http.anonymous().get(base, "/health/ready").status()).isEqualTo(200);
        assertThat(Http.anonymous().get(base, "/health/live").status()).isEqualTo(200);
        assertThat(Http.anonymous().get(base, "/metrics").status()).isEqualTo(200);
    }

    @Test
    void theRoleTableHolds() {
        var clerk = TestUsers.only(Roles.CLERK);
        var approver = TestUsers.only(Roles.APPROVER);
        var dba = TestUsers.only(Roles.DBA);
        var upload = clerk.post(base, "/api/v1/invoices", "application/xml", sample(freshVat()));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        long id = upload.<JsonObject>json().getJsonNumber("id").longValue();
        assertThat(clerk.get(base, "/api/v1/invoices/" + id).status()).isEqualTo(200);
        assertThat(clerk.get(base, "/api/v1/invoices/" + id + "/document").status())
                .isEqualTo(200);
        assertThat(clerk.get(base, "/api/v1/exceptions?resolved=false").status())
                .isEqualTo(200);

        var refused = clerk.postJson(base, "/api/v1/invoices/" + id + "/reject", "{\"reason\":\"test\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.<JsonObject>json().getString("detail")).contains(Roles.APPROVER);
        assertThat(clerk.post(base, "/api/v1/exports/run", "application/json", new byte[0])
                        .status())
                .isEqualTo(403);
        assertThat(clerk.get(base, "/api/v1/database/connections").status()).isEqualTo(403);

        // An approver may do everything a clerk may.
        assertThat(approver.get(base, "/api/v1/invoices/" + id + "/document").status())
                .isEqualTo(200);
        var rejected = approver.postJson(base, "/api/v1/invoices/" + id + "/reject", "{\"reason\":\"not ours\"}");
        assertThat(rejected.status()).as(rejected.body()).isEqualTo(200);

        assertThat(dba.get(base, "/api/v1/invoices").status()).isEqualTo(403);
        assertThat(dba.get(base, "/api/v1/invoices/" + id + "/document").status())
                .isEqualTo(403);
        assertThat(dba.get(base, "/api/v1/database/connections").status()).isEqualTo(200);
        assertThat(dba.get(base, "/api/v1/audit").status()).isEqualTo(200);
        assertThat(approver.get(base, "/api/v1/audit").status()).isEqualTo(403);
        assertThat(approver.get(base, "/api/v1/users").status()).isEqualTo(403);
    }

    @Test
    void bankDetailsAreForApproversOnlyYetTheIntakeStillComparesThem() throws Exception {
        var clerk = TestUsers.only(Roles.CLERK);
        var approver = TestUsers.only(Roles.APPROVER);
        String vat = freshVat();
        var created = approver.postJson(
                base,
                "/api/v1/vendors",
                "{\"name\":\"Bank " + vat + "\",\"vatId\":\"" + vat + "\",\"iban\":\"DE02120300000000202051\","
                        + "\"accountHolder\":\"Bank " + vat + " GmbH\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long vendor = created.<JsonObject>json().getJsonNumber("id").longValue();
        assertThat(created.<JsonObject>json().getString("iban")).isEqualTo("DE02120300000000202051");
        assertThat(clerk.postJson(base, "/api/v1/vendors", "{\"name\":\"x\"}").status())
                .isEqualTo(403);

        JsonObject seenByClerk = clerk.get(base, "/api/v1/vendors/" + vendor).json();
        assertThat(seenByClerk.getString("name")).isEqualTo("Bank " + vat);
        assertThat(seenByClerk.get("iban")).isIn(null, JsonValue.NULL);
        assertThat(seenByClerk.get("accountHolder")).isIn(null, JsonValue.NULL);
        JsonArray listedForClerk =
                clerk.get(base, "/api/v1/vendors?name=" + vat).json();
        assertThat(listedForClerk.getValuesAs(JsonObject.class))
                .allMatch(v -> !v.containsKey("iban") || v.isNull("iban"));
        JsonObject seenByApprover =
                approver.get(base, "/api/v1/vendors/" + vendor).json();
        assertThat(seenByApprover.getString("accountHolder")).isEqualTo("Bank " + vat + " GmbH");

        // The clerk's upload carries another IBAN: held, though the clerk's session can never read the one on file.
        var upload = clerk.post(base, "/api/v1/invoices", "application/xml", sample(vat));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        long id = upload.<JsonObject>json().getJsonNumber("id").longValue();
        JsonArray exceptions =
                clerk.get(base, "/api/v1/invoices/" + id + "/exceptions").json();
        assertThat(exceptions.getValuesAs(JsonObject.class))
                .filteredOn(e -> e.getString("type").equals("BANK_ACCOUNT_CHANGE"))
                .singleElement()
                .satisfies(
                        e -> assertThat(e.toString()).contains("DE89****3000").contains("DE02****2051"));
        assertThat(dbValue("SELECT uploaded_by FROM invoices WHERE id = " + id)).isEqualTo(TestUsers.name(Roles.CLERK));
        assertThat(dbValue("SELECT updated_by FROM vendors WHERE id = " + vendor))
                .isEqualTo(TestUsers.name(Roles.APPROVER));
    }

    @Test
    void theResolverAndTheDeciderAreTheAuthenticatedUsers() throws Exception {
        var clerk = TestUsers.only(Roles.CLERK);
        var approver = TestUsers.only(Roles.APPROVER);
        var upload = clerk.post(base, "/api/v1/invoices", "application/xml", sample(freshVat()));
        long id = upload.<JsonObject>json().getJsonNumber("id").longValue();
        JsonArray exceptions =
                clerk.get(base, "/api/v1/invoices/" + id + "/exceptions").json();
        long unknownVendor = exceptions.getValuesAs(JsonObject.class).stream()
                .filter(e -> e.getString("type").equals("UNKNOWN_VENDOR"))
                .findFirst()
                .orElseThrow()
                .getJsonNumber("id")
                .longValue();
        String body = "{\"resolvedBy\":\"someone-else\",\"resolution\":\"vendor checked\"}";
        assertThat(clerk.postJson(base, "/api/v1/exceptions/" + unknownVendor + "/resolve", body)
                        .status())
                .isEqualTo(403);
        var resolved = approver.postJson(base, "/api/v1/exceptions/" + unknownVendor + "/resolve", body);
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(resolved.<JsonObject>json().getString("resolvedBy")).isEqualTo(TestUsers.name(Roles.APPROVER));

        var rejected = approver.postJson(base, "/api/v1/invoices/" + id + "/reject", "{\"reason\":\"unknown seller\"}");
        assertThat(rejected.status()).as(rejected.body()).isEqualTo(200);
        assertThat(dbValue("SELECT decided_by FROM invoices WHERE id = " + id))
                .isEqualTo(TestUsers.name(Roles.APPROVER));

        JsonObject audit = TestUsers.only(Roles.DBA)
                .get(base, "/api/v1/audit?actor=" + TestUsers.name(Roles.APPROVER) + "&limit=1000")
                .json();
        var actions = audit.getJsonArray("items").getValuesAs(JsonObject.class).stream()
                .filter(e -> e.getString("subject").equals("invoice " + id)
                        || e.getString("subject").equals("exception " + unknownVendor))
                .map(e -> e.getString("action"))
                .toList();
        assertThat(actions).contains("exception.resolve", "invoice.reject");
        JsonObject uploads = TestUsers.only(Roles.DBA)
                .get(base, "/api/v1/audit?action=invoice.upload&actor=" + TestUsers.name(Roles.CLERK))
                .json();
        assertThat(uploads.getJsonArray("items").getValuesAs(JsonObject.class))
                .anyMatch(e -> e.getString("subject").equals("invoice " + id));
    }

    @Test
    void theAuditTrailPagesNewestFirstAndCannotBeChanged() throws Exception {
        var dba = TestUsers.only(Roles.DBA);
        JsonObject first = dba.get(base, "/api/v1/audit?limit=2").json();
        var items = first.getJsonArray("items").getValuesAs(JsonObject.class);
        assertThat(items).hasSize(2);
        assertThat(items.get(0).getJsonNumber("id").longValue())
                .isGreaterThan(items.get(1).getJsonNumber("id").longValue());
        JsonObject second = dba.send(java.net.http.HttpRequest.newBuilder(Http.resolve(base, first.getString("next"))))
                .json();
        assertThat(second.getJsonArray("items").getValuesAs(JsonObject.class))
                .allMatch(e -> e.getJsonNumber("id").longValue()
                        < items.get(1).getJsonNumber("id").longValue());
        try (Connection connection = TestEnvironment.connect()) {
            for (String change :
                    List.of("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log", "TRUNCATE audit_log")) {
                try (var statement = connection.createStatement()) {
                    statement.execute(change);
                    throw new AssertionError(change + " was not refused");
                } catch (SQLException e) {
                    assertThat(e.getMessage()).contains("append-only");
                }
            }
        }
    }

    @Test
    void usersAreManagedByTheDbaWithSaltedPbkdf2Hashes() throws Exception {
        String name = "u" + ThreadLocalRandom.current().nextInt(1_000_000);
        String password = "correct horse battery " + name;
        var weak = Http.postJson(
                base,
                "/api/v1/users",
                "{\"username\":\"" + name + "\",\"password\":\"short\",\"roles\":[\"ap-clerk\"]}");
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.<JsonObject>json().getString("detail")).contains("at least 12");
        assertThat(Http.postJson(
                                base,
                                "/api/v1/users",
                                "{\"username\":\"" + name + "\",\"password\":\"" + password
                                        + "\",\"roles\":[\"admin\"]}")
                        .status())
                .isEqualTo(400);
        for (String user : List.of(name, name + "b")) {
            var created = Http.postJson(
                    base,
                    "/api/v1/users",
                    "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"roles\":[\"ap-clerk\"]}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.body()).doesNotContain(password).doesNotContainIgnoringCase("hash");
        }
        assertThat(Http.postJson(
                                base,
                                "/api/v1/users",
                                "{\"username\":\"" + name + "\",\"password\":\"" + password
                                        + "\",\"roles\":[\"ap-clerk\"]}")
                        .status())
                .isEqualTo(409);
        String hash = dbValue("SELECT password_hash FROM users WHERE username = '" + name + "'");
        assertThat(hash).startsWith("PBKDF2WithHmacSHA512:210000:").doesNotContain(password);
        assertThat(dbValue("SELECT password_hash FROM users WHERE username = '" + name + "b'"))
                .as("salted: the same password hashes differently")
                .isNotEqualTo(hash);

        var user = Http.as(name, password);
        assertThat(user.get(base, "/api/v1/invoices?limit=1").status()).isEqualTo(200);
        assertThat(user.post(base, "/api/v1/exports/run", "application/json", new byte[0])
                        .status())
                .isEqualTo(403);
        var promoted = Http.admin().putJson(base, "/api/v1/users/" + name, "{\"roles\":[\"ap-approver\"]}");
        assertThat(promoted.<JsonObject>json().getJsonArray("roles").getString(0))
                .isEqualTo("ap-approver");
        assertThat(user.get(base, "/api/v1/invoices?limit=1").status()).isEqualTo(200);
        Http.admin().putJson(base, "/api/v1/users/" + name, "{\"enabled\":false}");
        assertThat(user.get(base, "/api/v1/invoices?limit=1").status())
                .as("disabled at once")
                .isEqualTo(401);
        Http.admin().putJson(base, "/api/v1/users/" + name, "{\"enabled\":true,\"password\":\"" + password + "-new\"}");
        assertThat(user.get(base, "/api/v1/invoices?limit=1").status())
                .as("old password")
                .isEqualTo(401);
        assertThat(Http.as(name, password + "-new")
                        .get(base, "/api/v1/invoices?limit=1")
                        .status())
                .isEqualTo(200);
        assertThat(Http.admin().delete(base, "/api/v1/users/" + name).status()).isEqualTo(204);
        assertThat(Http.as(name, password + "-new")
                        .get(base, "/api/v1/invoices?limit=1")
                        .status())
                .isEqualTo(401);
        assertThat(Http.admin().get(base, "/api/v1/users/" + name).status()).isEqualTo(404);

        JsonObject admin =
                Http.get(base, "/api/v1/users/" + TestEnvironment.ADMIN_USER).json();
        assertThat(admin.getJsonArray("roles").getValuesAs(jakarta.json.JsonString.class).stream()
                        .map(jakarta.json.JsonString::getString))
                .containsExactlyInAnyOrder(Roles.CLERK, Roles.APPROVER, Roles.DBA, Roles.USER_ADMIN);
        assertThat(admin.getString("createdBy")).isEqualTo("system:bootstrap");
        JsonObject audit = Http.get(base, "/api/v1/audit?action=user.delete").json();
        assertThat(audit.getJsonArray("items").getValuesAs(JsonObject.class))
                .anyMatch(e -> e.getString("subject").equals(name)
                        && e.getString("actor").equals(TestEnvironment.ADMIN_USER));
    }

    @Test
    void theLastEnabledDbaCannotBeRemoved() {
        String other = TestUsers.name(Roles.DBA);
        assertThat(Http.admin()
                        .putJson(base, "/api/v1/users/" + other, "{\"roles\":[]}")
                        .status())
                .isEqualTo(200);
        try {
            // Nobody changes their own enabled state (issue 15): another user-admin tries it.
            var refused = TestUsers.only(Roles.USER_ADMIN)
                    .putJson(base, "/api/v1/users/" + TestEnvironment.ADMIN_USER, "{\"enabled\":false}");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.<JsonObject>json().getString("detail")).contains("dba");
            assertThat(Http.admin()
                            .delete(base, "/api/v1/users/" + TestEnvironment.ADMIN_USER)
                            .status())
                    .isEqualTo(409);
            assertThat(Http.get(base, "/api/v1/users").status()).isEqualTo(200);
        } finally {
            assertThat(Http.admin()
                            .putJson(base, "/api/v1/users/" + other, "{\"roles\":[\"dba\"]}")
                            .status())
                    .isEqualTo(200);
        }
    }

    static String freshVat() {
        return "DE" + ThreadLocalRandom.current().nextLong(100_000_000L, 999_999_999L);
    }

    /** The sample UBL invoice (IBAN DE89...3000) with a fresh number and seller VAT id. */
    static byte[] sample(String vat) {
        return InvoiceSamples.mutated(
                        InvoiceSamples.UBL_INVOICE,
                        "INV-2024-0042",
                        "INV-" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L),
                        "DE123456789",
                        vat,
                        "Nordwind Bürobedarf GmbH",
                        "Nordwind " + vat)
                .getBytes(StandardCharsets.UTF_8);
    }

    static String dbValue(String sql) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
