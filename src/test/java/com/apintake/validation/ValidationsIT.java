package com.apintake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.InvoiceSamples;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official EN 16931 rules in the running server: a valid and a broken invoice uploaded over HTTP,
 * their validations read back with the rule set, severity and location of each finding.
 */
@ExtendWith(ArquillianExtension.class)
class ValidationsIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void aValidInvoicePassesTheOfficialRulesAndSaysWhichRanWithWhichRelease() {
        long id = upload(unique());

        List<JsonObject> validations = validations(id);

        assertThat(validations)
                .filteredOn(v -> v.getString("rule").equals("EN16931"))
                .singleElement()
                .satisfies(summary -> {
                    assertThat(summary.getBoolean("passed")).isTrue();
                    assertThat(summary.getString("severity")).isEqualTo("information");
                    assertThat(summary.getString("source")).isEqualTo("EN16931 1.3.15");
                    assertThat(summary.getString("detail")).contains("0 fatal");
                });
        assertThat(validations)
                .filteredOn(v -> v.getString("rule").startsWith("AP-"))
                .isNotEmpty()
                .allSatisfy(v -> {
                    assertThat(v.getString("source")).isEqualTo("AP");
                    assertThat(v.getString("severity")).isEqualTo("fatal");
                    assertThat(v.containsKey("location")).isFalse();
                });
        assertThat(validations)
                .filteredOn(v -> !v.getString("rule").startsWith("AP-"))
                .allMatch(v -> v.getBoolean("passed"));
        assertThat(exceptionTypes(id)).doesNotContain("VALIDATION_FAILED");
    }

    @Test
    void aBrokenInvoiceFailsTheOfficialRuleWithItsTextAndLocation() {
        // BT-112 a cent off: BR-CO-15 (BT-115 is kept consistent, so nothing else breaks).
        String xml = unique().replace("1795.63", "1795.64").replace(">1696.00<", ">1696.01<");
        long id = upload(xml);

        List<JsonObject> validations = validations(id);

        assertThat(validations)
                .filteredOn(
                        v -> !v.getBoolean("passed") && v.getString("severity").equals("fatal"))
                .filteredOn(v -> !v.getString("rule").startsWith("AP-"))
                .singleElement()
                .satisfies(failed -> {
                    assertThat(failed.getString("rule")).isEqualTo("BR-CO-15");
                    assertThat(failed.getString("detail")).startsWith("[BR-CO-15]");
                    assertThat(failed.getString("location")).startsWith("/*:Invoice");
                    assertThat(failed.getString("source")).isEqualTo("EN16931 1.3.15");
                });
        assertThat(exceptionTypes(id)).contains("VALIDATION_FAILED");
        assertThat(Http.get(base, "/api/v1/invoices/" + id).<JsonObject>json().getString("workflowStatus"))
                .isEqualTo("EXCEPTIONS_FOUND");
    }

    @Test
    void aWarningIsStoredAndShownButRaisesNoException() {
        String xml =
                unique().replaceFirst("<cbc:ID>", "<cbc:ProfileExecutionID>7</cbc:ProfileExecutionID>\n  <cbc:ID>");
        long id = upload(xml);

        assertThat(validations(id))
                .filteredOn(v -> v.getString("rule").equals("UBL-CR-003"))
                .singleElement()
                .satisfies(warning -> {
                    assertThat(warning.getBoolean("passed")).isFalse();
                    assertThat(warning.getString("severity")).isEqualTo("warning");
                });
        assertThat(exceptionTypes(id)).doesNotContain("VALIDATION_FAILED");
    }

    /** The sample invoice with its own number, so that every upload is a new file. */
    private static String unique() {
        return InvoiceSamples.text(InvoiceSamples.UBL_INVOICE)
                .replace("INV-2024-0042", "INV-V" + ThreadLocalRandom.current().nextLong(1_000_000_000L));
    }

    private long upload(String xml) {
        var upload = Http.post(base, "/api/v1/invoices", "application/xml", xml.getBytes(StandardCharsets.UTF_8));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        return upload.<JsonObject>json().getJsonNumber("id").longValue();
    }

    private List<JsonObject> validations(long id) {
        var answer = Http.get(base, "/api/v1/invoices/" + id + "/validations");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonArray>json().getValuesAs(JsonObject.class);
    }

    private List<String> exceptionTypes(long id) {
        return Http.get(base, "/api/v1/invoices/" + id + "/exceptions")
                .<JsonArray>json()
                .getValuesAs(JsonObject.class)
                .stream()
                .map(e -> e.getString("type"))
                .toList();
    }
}
