package com.apintake.validation.control;

import static com.apintake.testsupport.InvoiceSamples.CII;
import static com.apintake.testsupport.InvoiceSamples.UBL_CREDIT_NOTE;
import static com.apintake.testsupport.InvoiceSamples.UBL_INVOICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EN16931RulesTest {

    private static final List<String> RULE_IDS = List.of(
            "BR-01",
            "BR-02",
            "BR-03",
            "BR-04",
            "BR-05",
            "BR-06",
            "BR-07",
            "BR-08",
            "BR-10",
            "BR-12",
            "BR-13",
            "BR-14",
            "BR-15",
            "BR-16",
            "BR-CO-10",
            "BR-CO-11",
            "BR-CO-12",
            "BR-CO-13",
            "BR-CO-14",
            "BR-CO-15",
            "BR-CO-16",
            "BR-CO-17",
            "BR-CO-25",
            "BR-CO-26",
            "BR-LINE-NET");

    static List<Finding> checkAll(InvoiceData invoice) {
        return EN16931Rules.all().stream()
                .flatMap(rule -> rule.check(invoice).stream())
                .toList();
    }

    static List<Finding> findings(List<Finding> findings, String rule) {
        return findings.stream().filter(f -> f.rule().equals(rule)).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {UBL_INVOICE, UBL_CREDIT_NOTE, CII})
    void validSamplesPassEveryRule(String sample) {
        List<Finding> findings = checkAll(InvoiceSamples.invoice(sample));

        assertThat(findings).extracting(Finding::rule).containsAll(RULE_IDS);
        assertThat(findings)
                .allSatisfy(f -> assertThat(f.passed()).as(f.toString()).isTrue());
        assertThat(findings).allSatisfy(f -> assertThat(f.detail()).isNotBlank());
    }

    @Test
    void arithmeticFindingsShowTheNumbersEvenWhenPassing() {
        List<Finding> findings = checkAll(InvoiceSamples.invoice(UBL_INVOICE));

        assertThat(findings(findings, "BR-CO-16"))
                .singleElement()
                .extracting(Finding::detail)
                .isEqualTo("BT-115 1696.00 = BT-112 - BT-113 + BT-114 = 1795.63 - 100.00 + 0.37 = 1696.00");
        // 382.50 x 7% = 26.775, which rounds half up to the 26.78 the invoice states.
        assertThat(findings(findings, "BR-CO-17"))
                .extracting(Finding::detail)
                .containsExactly(
                        "VAT category S at 19%: BT-117 221.35 = BT-116 x BT-119 / 100 = 1165.00 x 19 / 100 = 221.35",
                        "VAT category S at 7%: BT-117 26.78 = BT-116 x BT-119 / 100 = 382.50 x 7 / 100 = 26.78");
        assertThat(findings(findings, "BR-LINE-NET"))
                .extracting(Finding::detail)
                .containsExactly(
                        "line 1: BT-131 1200.00 = BT-129 x BT-146 / BT-149 + BT-141 - BT-136 = 10 x 120.00 / 1 + 0.00 - 0.00 = 1200.00",
                        "line 2: BT-131 320.00 = BT-129 x BT-146 / BT-149 + BT-141 - BT-136 = 4 x 85.00 / 1 + 0.00 - 20.00 = 320.00",
                        "line 3: BT-131 62.50 = BT-129 x BT-146 / BT-149 + BT-141 - BT-136 = 250 x 2.50 / 10 + 0.00 - 0.00 = 62.50");
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                violation(
                        "BR-CO-10",
                        UBL_INVOICE,
                        List.of("1592.50", "1582.50", "difference 10.00"),
                        ">1582.50</cbc:LineExtensionAmount>",
                        ">1592.50</cbc:LineExtensionAmount>"),
                violation(
                        "BR-CO-11",
                        UBL_INVOICE,
                        List.of("BT-107 55.00", "50.00"),
                        ">50.00</cbc:AllowanceTotalAmount>",
                        ">55.00</cbc:AllowanceTotalAmount>"),
                violation(
                        "BR-CO-11",
                        UBL_INVOICE,
                        List.of("BT-107 absent", "50.00"),
                        "<cbc:AllowanceTotalAmount currencyID=\"EUR\">50.00</cbc:AllowanceTotalAmount>",
                        ""),
                violation(
                        "BR-CO-12",
                        CII,
                        List.of("BT-108 5.30", "4.30"),
                        "<ram:ChargeTotalAmount>4.30",
                        "<ram:ChargeTotalAmount>5.30"),
                violation(
                        "BR-CO-13",
                        UBL_INVOICE,
                        List.of("BT-109 1557.50", "1582.50 - 50.00 + 15.00 = 1547.50"),
                        ">1547.50</cbc:TaxExclusiveAmount>",
                        ">1557.50</cbc:TaxExclusiveAmount>"),
                violation(
                        "BR-CO-14",
                        CII,
                        List.of("BT-110 31.41", "31.14"),
                        "<ram:TaxTotalAmount currencyID=\"EUR\">31.14",
                        "<ram:TaxTotalAmount currencyID=\"EUR\">31.41"),
                violation(
                        "BR-CO-15",
                        UBL_INVOICE,
                        List.of("BT-112 1795.36", "1547.50 + 248.13 = 1795.63"),
                        ">1795.63</cbc:TaxInclusiveAmount>",
                        ">1795.36</cbc:TaxInclusiveAmount>"),
                violation(
                        "BR-CO-16",
                        UBL_INVOICE,
                        List.of("BT-115 1700.00", "1795.63 - 100.00 + 0.37 = 1696.00", "difference 4.00"),
                        ">1696.00</cbc:PayableAmount>",
                        ">1700.00</cbc:PayableAmount>"),
                violation(
                        "BR-CO-17",
                        UBL_INVOICE,
                        List.of("VAT category S at 7%", "26.77", "382.50 x 7 / 100 = 26.78"),
                        "<cbc:TaxAmount currencyID=\"EUR\">26.78",
                        "<cbc:TaxAmount currencyID=\"EUR\">26.77"),
                violation(
                        "BR-LINE-NET",
                        UBL_INVOICE,
                        List.of("line 2", "340.00", "4 x 85.00 / 1 + 0.00 - 20.00 = 320.00"),
                        ">320.00</cbc:LineExtensionAmount>",
                        ">340.00</cbc:LineExtensionAmount>"),
                violation(
                        "BR-LINE-NET",
                        CII,
                        List.of("line 1", "BT-131 149.70", "3 x 49.90 / 2 + 0.00 - 0.00 = 74.85"),
                        "<ram:BasisQuantity unitCode=\"C62\">1<",
                        "<ram:BasisQuantity unitCode=\"C62\">2<"),
                violation("BR-02", UBL_INVOICE, List.of("invoice number (BT-1)"), "<cbc:ID>INV-2024-0042</cbc:ID>", ""),
                violation(
                        "BR-03",
                        UBL_INVOICE,
                        List.of("issue date (BT-2)"),
                        "<cbc:IssueDate>2024-03-15<",
                        "<cbc:IssueDate>2024-13-45<"),
                violation(
                        "BR-04",
                        UBL_INVOICE,
                        List.of("type code (BT-3)"),
                        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
                        ""),
                violation(
                        "BR-05",
                        CII,
                        List.of("currency code (BT-5)"),
                        "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
                        ""),
                violation("BR-06", CII, List.of("seller name (BT-27)"), "<ram:Name>Lieferant Nord GmbH</ram:Name>", ""),
                violation(
                        "BR-07",
                        CII,
                        List.of("buyer name (BT-44)"),
                        "<ram:Name>Landratsamt Beispielkreis</ram:Name>",
                        ""),
                violation(
                        "BR-08",
                        CII,
                        List.of("seller postal address"),
                        "<ram:CityName>Kiel</ram:CityName>\n          <ram:CountryID>DE</ram:CountryID>",
                        ""),
                violation(
                        "BR-10",
                        CII,
                        List.of("buyer postal address"),
                        "<ram:CityName>Beispielstadt</ram:CityName>\n          <ram:CountryID>DE</ram:CountryID>",
                        ""),
                violation(
                        "BR-12",
                        UBL_INVOICE,
                        List.of("BT-106"),
                        "<cbc:LineExtensionAmount currencyID=\"EUR\">1582.50</cbc:LineExtensionAmount>",
                        ""),
                violation(
                        "BR-13",
                        UBL_INVOICE,
                        List.of("BT-109"),
                        "<cbc:TaxExclusiveAmount currencyID=\"EUR\">1547.50</cbc:TaxExclusiveAmount>",
                        ""),
                violation(
                        "BR-14",
                        UBL_INVOICE,
                        List.of("BT-112"),
                        "<cbc:TaxInclusiveAmount currencyID=\"EUR\">1795.63</cbc:TaxInclusiveAmount>",
                        ""),
                violation(
                        "BR-15",
                        UBL_INVOICE,
                        List.of("BT-115"),
                        "<cbc:PayableAmount currencyID=\"EUR\">1696.00</cbc:PayableAmount>",
                        ""),
                violation(
                        "BR-CO-25",
                        UBL_INVOICE,
                        List.of("amount due (BT-115) 1696.00", "BT-9", "BT-20"),
                        "<cbc:DueDate>2024-04-14</cbc:DueDate>",
                        "",
                        "<cbc:Note>Net 30 days, 2% discount within 10 days</cbc:Note>",
                        ""),
                violation(
                        "BR-CO-26",
                        UBL_CREDIT_NOTE,
                        List.of("BT-29", "BT-30", "BT-31"),
                        "<cbc:CompanyID>DE123456789</cbc:CompanyID>",
                        ""));
    }

    private static Arguments violation(String rule, String sample, List<String> detailShows, String... replacements) {
        return Arguments.of(rule, sample, detailShows, replacements);
    }

    @ParameterizedTest(name = "{0} fails on {1}")
    @MethodSource("violations")
    void eachRuleFailsOnItsViolation(String rule, String sample, List<String> detailShows, String[] replacements) {
        List<Finding> findings = findings(checkAll(InvoiceSamples.invoice(sample, replacements)), rule);

        assertThat(findings)
                .filteredOn(f -> !f.passed())
                .singleElement()
                .satisfies(f -> assertThat(f.detail()).contains(detailShows));
    }

    @Test
    void noLinesFailsBr16AndMakesTheLineRulesNotApplicable() {
        String xml = InvoiceSamples.text(CII)
                .replaceAll("(?s)<ram:IncludedSupplyChainTradeLineItem>.*?</ram:IncludedSupplyChainTradeLineItem>", "");
        InvoiceData invoice =
                new InvoiceReader().read(xml.getBytes(StandardCharsets.UTF_8)).invoice();

        List<Finding> findings = checkAll(invoice);

        assertThat(findings(findings, "BR-16"))
                .singleElement()
                .extracting(Finding::passed)
                .isEqualTo(false);
        assertThat(findings(findings, "BR-LINE-NET"))
                .singleElement()
                .satisfies(f -> assertThat(f.passed()).isTrue())
                .satisfies(f -> assertThat(f.detail()).startsWith("not applicable: "));
        assertThat(findings(findings, "BR-CO-10"))
                .singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("BT-106 203.70", "= 0.00"));
    }

    @Test
    void paymentDueInformationDoesNotApplyWhenNothingIsDue() {
        InvoiceData invoice = InvoiceSamples.invoice(
                UBL_INVOICE,
                "<cbc:DueDate>2024-04-14</cbc:DueDate>",
                "",
                "<cbc:Note>Net 30 days, 2% discount within 10 days</cbc:Note>",
                "",
                ">1696.00</cbc:PayableAmount>",
                ">0.00</cbc:PayableAmount>");

        assertThat(new PaymentDueInformation().check(invoice))
                .singleElement()
                .satisfies(f -> assertThat(f.passed()).isTrue())
                .satisfies(f ->
                        assertThat(f.detail()).isEqualTo("not applicable: amount due (BT-115) 0.00 is not positive"));
    }

    @Test
    void paymentTermsAloneSatisfyBrCo25() {
        InvoiceData invoice = InvoiceSamples.invoice(UBL_INVOICE, "<cbc:DueDate>2024-04-14</cbc:DueDate>", "");

        assertThat(new PaymentDueInformation().check(invoice))
                .singleElement()
                .satisfies(f -> assertThat(f.passed()).isTrue());
    }

    @Test
    void missingSpecificationIdentifierIsAcceptedAndSaidSo() {
        InvoiceData invoice = InvoiceSamples.invoice(
                UBL_INVOICE,
                "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>",
                "");

        assertThat(new SpecificationIdentifier().check(invoice))
                .singleElement()
                .satisfies(f -> assertThat(f.passed()).isTrue())
                .satisfies(f -> assertThat(f.detail()).startsWith("no specification identifier (BT-24)"));
    }

    @Test
    void vatCategoryWithoutRateMustCarryNoTax() {
        InvoiceData invoice = InvoiceSamples.invoice(
                CII,
                "<ram:BasisAmount>54.00</ram:BasisAmount>\n        <ram:CategoryCode>S</ram:CategoryCode>\n        <ram:RateApplicablePercent>7</ram:RateApplicablePercent>",
                "<ram:BasisAmount>54.00</ram:BasisAmount>\n        <ram:CategoryCode>O</ram:CategoryCode>");

        assertThat(new VatCategoryTaxAmounts().check(invoice))
                .filteredOn(f -> !f.passed())
                .singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("VAT category O at no rate", "3.78", "= 0.00"));
    }

    @Test
    void everyRuleIsACdiBeanListedOnce() {
        List<Rule> rules = EN16931Rules.all();

        assertThat(rules).extracting(Object::getClass).doesNotHaveDuplicates();
        assertThat(rules).allSatisfy(rule -> assertThat(rule.getClass()).hasAnnotation(ApplicationScoped.class));
    }
}
