package com.apintake.validation.control;

import static com.apintake.testsupport.InvoiceSamples.CII;
import static com.apintake.testsupport.InvoiceSamples.UBL_CREDIT_NOTE;
import static com.apintake.testsupport.InvoiceSamples.UBL_INVOICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.validation.entity.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official artefacts on the examples CEN/TC 434 publishes with them (all valid), on our own
 * samples, and on broken variants that each break one rule. Compiled once for the class: compiling
 * is the slow part (seconds), checking a document takes milliseconds.
 */
class OfficialRulesTest {

    static final Path EXAMPLES = Path.of("src/test/resources/en16931-examples");
    static final String EN16931_SOURCE = "EN16931 1.3.15";

    static OfficialRules rules;

    static final String SELLER_CONTACT = """
                    <ram:DefinedTradeContact>
                      <ram:PersonName>Jana Sommer</ram:PersonName>
                      <ram:TelephoneUniversalCommunication>
                        <ram:CompleteNumber>+49 431 555 0100</ram:CompleteNumber>
                      </ram:TelephoneUniversalCommunication>
                      <ram:EmailURIUniversalCommunication>
                        <ram:URIID>buchhaltung@lieferant-nord.example</ram:URIID>
                      </ram:EmailURIUniversalCommunication>
                    </ram:DefinedTradeContact>
            """;

    @BeforeAll
    static void compile() {
        rules = OfficialRules.compiled("1.3.15", "3.0.2");
    }

    static Stream<Path> publishedExamples() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            List<Path> xml = files.filter(
                            f -> f.getFileName().toString().toLowerCase().endsWith(".xml"))
                    .sorted()
                    .toList();
            assertThat(xml)
                    .as("the corpus is in place: 19 UBL and 15 CII examples")
                    .hasSize(34);
            return xml.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("publishedExamples")
    void everyPublishedExamplePassesWithoutAFatalFailure(Path example) throws IOException {
        List<Finding> findings = rules.check(Files.readAllBytes(example));

        assertThat(findings).filteredOn(Finding::fails).isEmpty();
        assertThat(findings)
                .filteredOn(f -> f.rule().equals(OfficialRules.EN16931))
                .singleElement()
                .satisfies(summary -> {
                    assertThat(summary.passed()).isTrue();
                    assertThat(summary.severity()).isEqualTo(Finding.INFORMATION);
                    assertThat(summary.source()).isEqualTo(EN16931_SOURCE);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {UBL_INVOICE, UBL_CREDIT_NOTE, CII})
    void ourOwnSamplesPass(String sample) {
        assertThat(rules.check(InvoiceSamples.bytes(sample)))
                .filteredOn(Finding::fails)
                .isEmpty();
    }

    static Stream<Arguments> brokenVariants() {
        return Stream.of(
                // Invoice total with VAT (BT-112) = total without VAT (BT-109) + VAT (BT-110); BT-115 kept consistent.
                broken("BR-CO-15", UBL_INVOICE, "1795.63", "1795.64", ">1696.00<", ">1696.01<"),
                // Amount due (BT-115) = BT-112 - paid (BT-113) + rounding (BT-114).
                broken("BR-CO-16", UBL_INVOICE, ">1696.00<", ">1696.50<"),
                // Sum of line net amounts (BT-106) = sum of the lines; the totals above it follow BT-106.
                broken(
                        "BR-CO-10",
                        UBL_INVOICE,
                        "1582.50",
                        "1582.60",
                        "1547.50",
                        "1547.60",
                        "1795.63",
                        "1795.73",
                        ">1696.00<",
                        ">1696.10<"),
                // Total without VAT (BT-109) = BT-106 - allowances (BT-107) + charges (BT-108).
                broken("BR-CO-13", UBL_INVOICE, "1547.50", "1547.40", "1795.63", "1795.53", ">1696.00<", ">1695.90<"),
                // An invoice shall have a specification identifier (BT-24).
                broken(
                        "BR-01",
                        UBL_INVOICE,
                        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>",
                        ""),
                // An invoice shall have an invoice number (BT-1).
                broken("BR-02", UBL_INVOICE, "<cbc:ID>INV-2024-0042</cbc:ID>", ""),
                // An invoice shall contain the seller name (BT-27).
                broken(
                        "BR-06",
                        UBL_INVOICE,
                        "<cbc:RegistrationName>Nordwind Bürobedarf GmbH</cbc:RegistrationName>",
                        ""),
                // An invoice shall contain the buyer name (BT-44).
                broken(
                        "BR-07",
                        UBL_INVOICE,
                        "<cbc:RegistrationName>Stadtwerke Musterstadt AG</cbc:RegistrationName>",
                        ""),
                // Invoice type codes are UNCL 1001.
                broken(
                        "BR-CL-01",
                        UBL_INVOICE,
                        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
                        "<cbc:InvoiceTypeCode>999</cbc:InvoiceTypeCode>"),
                // Identifier schemes are ISO/IEC 6523 ICD codes.
                broken("BR-CL-10", UBL_INVOICE, "<cbc:ID schemeID=\"0088\">", "<cbc:ID schemeID=\"X088\">"),
                // Country codes are ISO 3166-1 alpha-2.
                broken(
                        "BR-CL-14",
                        UBL_INVOICE,
                        "<cbc:PostalZone>20457</cbc:PostalZone>\n        <cac:Country>\n          <cbc:IdentificationCode>DE",
                        "<cbc:PostalZone>20457</cbc:PostalZone>\n        <cac:Country>\n          <cbc:IdentificationCode>XX"),
                // Unit codes are UN/ECE Recommendation 20 (with 21).
                broken("BR-CL-23", UBL_INVOICE, "unitCode=\"HUR\"", "unitCode=\"HOURS\""),
                // Payment means codes are UNCL 4461.
                broken(
                        "BR-CL-16",
                        UBL_INVOICE,
                        "<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>",
                        "<cbc:PaymentMeansCode>999</cbc:PaymentMeansCode>"),
                // An amount due needs a due date (BT-9) or payment terms (BT-20).
                broken(
                        "BR-CO-25",
                        UBL_INVOICE,
                        "<cbc:DueDate>2024-04-14</cbc:DueDate>",
                        "",
                        "<cac:PaymentTerms>\n    <cbc:Note>Net 30 days, 2% discount within 10 days</cbc:Note>\n  </cac:PaymentTerms>",
                        ""),
                // The same rules in CII: grand total (BT-112) off by a cent, amount due kept consistent.
                broken(
                        "BR-CO-15",
                        CII,
                        "<ram:GrandTotalAmount>",
                        "<ram:GrandTotalAmount>1",
                        "<ram:DuePayableAmount>",
                        "<ram:DuePayableAmount>1"),
                // XRechnung (BT-24 names it): the seller contact (BG-6) is mandatory there, not in EN 16931.
                broken("BR-DE-2", CII, SELLER_CONTACT, ""));
    }

    private static Arguments broken(String rule, String sample, String... replacements) {
        return Arguments.of(rule, sample, replacements);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("brokenVariants")
    void eachBrokenVariantFailsExactlyTheRuleItBreaks(String rule, String sample, String[] replacements) {
        byte[] xml = InvoiceSamples.mutated(sample, replacements).getBytes(StandardCharsets.UTF_8);

        List<Finding> findings = rules.check(xml);

        assertThat(findings)
                .filteredOn(Finding::fails)
                .as(findings.toString())
                .singleElement()
                .satisfies(failed -> {
                    assertThat(failed.rule()).isEqualTo(rule);
                    assertThat(failed.passed()).isFalse();
                    assertThat(failed.detail()).contains(rule);
                    assertThat(failed.location()).startsWith("/");
                    assertThat(failed.source()).isIn(EN16931_SOURCE, "XRechnung 3.0.2");
                });
    }

    @Test
    void aWarningIsReportedButFailsNothing() {
        byte[] xml = InvoiceSamples.mutated(
                        UBL_INVOICE,
                        "<cbc:ID>INV-2024-0042</cbc:ID>",
                        "<cbc:ProfileExecutionID>7</cbc:ProfileExecutionID>\n  <cbc:ID>INV-2024-0042</cbc:ID>")
                .getBytes(StandardCharsets.UTF_8);

        List<Finding> findings = rules.check(xml);

        assertThat(findings).filteredOn(Finding::fails).isEmpty();
        assertThat(findings)
                .filteredOn(f -> !f.passed() && f.rule().equals("UBL-CR-003"))
                .singleElement()
                .satisfies(warning -> assertThat(warning.severity()).isEqualTo(Finding.WARNING));
        assertThat(findings)
                .filteredOn(f -> f.rule().equals(OfficialRules.EN16931))
                .singleElement()
                .satisfies(summary -> {
                    assertThat(summary.passed()).isTrue();
                    assertThat(summary.detail()).contains("0 fatal, 1 other");
                });
    }

    @Test
    void theXRechnungLayerRunsOnlyWhenTheSpecificationIdentifierNamesIt() {
        assertThat(rules.check(InvoiceSamples.bytes(CII)))
                .filteredOn(f -> f.severity().equals(Finding.INFORMATION))
                .extracting(Finding::rule, Finding::source, Finding::passed)
                .containsExactly(
                        tuple(OfficialRules.EN16931, EN16931_SOURCE, true),
                        tuple(OfficialRules.XRECHNUNG, "XRechnung 3.0.2", true));
        assertThat(rules.check(InvoiceSamples.bytes(UBL_INVOICE)))
                .filteredOn(f -> f.severity().equals(Finding.INFORMATION))
                .extracting(Finding::rule)
                .containsExactly(OfficialRules.EN16931);
        assertThat(OfficialRules.namesXRechnung(
                        "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3"))
                .isTrue();
        assertThat(OfficialRules.namesXRechnung("urn:cen.eu:en16931:2017")).isFalse();
        assertThat(OfficialRules.namesXRechnung(null)).isFalse();
    }

    /** The start-up warm-up must really run every rule set it is meant to warm, not fail and be logged. */
    @Test
    void theWarmUpDocumentsAreOnTheClasspathAndRunTheirRuleSetsWithoutAFatalFinding() throws IOException {
        List<String> sets = new java.util.ArrayList<>();
        for (String resource : OfficialRules.WARM_UP) {
            try (var in = OfficialRules.class.getClassLoader().getResourceAsStream(resource)) {
                assertThat(in).as(resource).isNotNull();
                List<Finding> findings = rules.check(in.readAllBytes());
                assertThat(findings).as(resource).noneMatch(Finding::fails);
                findings.stream()
                        .filter(f -> f.severity().equals(Finding.INFORMATION))
                        .forEach(f -> sets.add(f.rule() + " " + resource));
            }
        }
        assertThat(sets)
                .containsExactly(
                        "EN16931 validation/warm-up/ubl-invoice.xml",
                        "EN16931 validation/warm-up/cii-xrechnung.xml",
                        "XRECHNUNG validation/warm-up/cii-xrechnung.xml");
    }

    @Test
    void anOlderXRechnungIsToldSoAsAWarning() {
        byte[] xml = InvoiceSamples.mutated(
                        CII, "urn:xeinkauf.de:kosit:xrechnung_3.0", "urn:xoev-de:kosit:standard:xrechnung_2.3")
                .getBytes(StandardCharsets.UTF_8);

        List<Finding> findings = rules.check(xml);

        assertThat(findings).filteredOn(Finding::fails).isEmpty();
        assertThat(findings)
                .filteredOn(f -> f.rule().equals("BR-DE-21"))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Finding.WARNING));
    }

    @Test
    void aDocumentWithADoctypeIsNotRead(@TempDir Path folder) throws IOException {
        Path secret = Files.writeString(folder.resolve("secret.txt"), "do-not-read");
        String xml = InvoiceSamples.text(UBL_INVOICE)
                .replace(
                        "<Invoice xmlns=",
                        "<!DOCTYPE Invoice [<!ENTITY s SYSTEM \"" + secret.toUri() + "\">]>\n<Invoice xmlns=")
                .replace("<cbc:Note>Thank you for your order.</cbc:Note>", "<cbc:Note>&s;</cbc:Note>");

        assertThatThrownBy(() -> rules.check(xml.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be read")
                .hasMessageNotContaining("do-not-read");
    }

    @Test
    void somethingElseThanAnInvoiceIsRefused() {
        assertThatThrownBy(() -> rules.check("<order xmlns=\"urn:x\"/>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{urn:x}order");
    }

    @Test
    void flagsBecomeSeverities() {
        assertThat(Svrl.severity("fatal")).isEqualTo(Finding.FATAL);
        assertThat(Svrl.severity("warning")).isEqualTo(Finding.WARNING);
        assertThat(Svrl.severity(" Information ")).isEqualTo(Finding.INFORMATION);
        assertThat(Svrl.severity("error")).isEqualTo(Finding.FATAL);
        assertThat(Svrl.severity(null)).isEqualTo(Finding.FATAL);
    }

    @Test
    void forFacturXTheRulesReadTheEmbeddedXml() {
        byte[] pdf = InvoiceSamples.pdfWithAttachment(
                InvoiceSamples.bytes(CII), "factur-x.xml", InvoiceSamples.AttachedAs.EMBEDDED_FILES);

        byte[] xml = new InvoiceReader().invoiceXml(pdf).orElseThrow();

        assertThat(xml).isEqualTo(InvoiceSamples.bytes(CII));
        assertThat(rules.check(xml)).extracting(Finding::rule).contains(OfficialRules.XRECHNUNG);
        assertThat(new InvoiceReader().invoiceXml(InvoiceSamples.plainPdf())).isEmpty();
    }
}
