package com.apintake.validation.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.InvoiceSamples;
import com.apintake.validation.entity.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import net.sf.saxon.s9api.QName;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;
import net.sf.saxon.s9api.streams.Steps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The findings read from the SVRL report while Saxon writes it ({@link Svrl}), from the artefacts
 * without their {@code svrl:fired-rule} output ({@link RuleSet#WITHOUT_FIRED_RULES}), are exactly those
 * read from the whole report of the artefact as published, built as a tree, the way they were read
 * before (rule, passed, detail, severity, location, source, order): on every published CEN example, with
 * the XRechnung layer where it runs, and on every broken variant of {@link OfficialRulesTest}.
 */
class SvrlTest {

    static OfficialRules rules;

    @BeforeAll
    static void compile() {
        // Compiling is the slow part: take OfficialRulesTest's when it ran first in this JVM.
        rules = OfficialRulesTest.rules != null ? OfficialRulesTest.rules : OfficialRules.compiled("1.3.15", "3.0.2");
    }

    static Stream<Path> publishedExamples() throws IOException {
        return OfficialRulesTest.publishedExamples();
    }

    @ParameterizedTest
    @MethodSource("publishedExamples")
    void everyPublishedExampleReadsAsFromTheWholeTree(Path example) throws Exception {
        assertSameFindings(Files.readAllBytes(example));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("com.apintake.validation.control.OfficialRulesTest#brokenVariants")
    void everyBrokenVariantReadsAsFromTheWholeTree(String rule, String sample, String[] replacements) throws Exception {
        List<Finding> streamed =
                assertSameFindings(InvoiceSamples.mutated(sample, replacements).getBytes(StandardCharsets.UTF_8));

        assertThat(streamed).extracting(Finding::rule).contains(rule);
    }

    /** Both readings of the rule sets the document gets; returns the streamed failures. */
    private static List<Finding> assertSameFindings(byte[] xml) throws SaxonApiException {
        XdmNode document = rules.parse(xml);
        boolean cii = new String(xml, StandardCharsets.UTF_8).contains("CrossIndustryInvoice");
        List<RuleSet> sets = new ArrayList<>(List.of(cii ? rules.en16931Cii : rules.en16931Ubl));
        if (new String(xml, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("xrechnung")) {
            sets.add(cii ? rules.xrechnungCii : rules.xrechnungUbl);
        }
        List<Finding> all = new ArrayList<>();
        for (RuleSet set : sets) {
            List<Finding> streamed = set.apply(document);
            assertThat(streamed).as(set.source()).isEqualTo(fromTheWholeTree(set, document));
            assertThat(streamed).as(set.source() + " as published").isEqualTo(fromThePublishedArtefact(set, document));
            all.addAll(streamed);
        }
        return all;
    }

    private static final Map<String, XsltExecutable> PUBLISHED = new ConcurrentHashMap<>();

    /** The same document through the artefact exactly as published (fired rules and all), read as a tree. */
    private static List<Finding> fromThePublishedArtefact(RuleSet set, XdmNode document) throws SaxonApiException {
        XsltExecutable published = PUBLISHED.computeIfAbsent(
                set.resource(), resource -> RuleSet.published(rules.processor, set.source(), resource));
        return fromTheWholeTree(published, set.source(), document);
    }

    private static List<Finding> fromTheWholeTree(RuleSet set, XdmNode document) throws SaxonApiException {
        return fromTheWholeTree(set.executable(), set.source(), document);
    }

    // How the report was read before: built as a Saxon tree, failures found by descendant steps.
    private static List<Finding> fromTheWholeTree(XsltExecutable executable, String source, XdmNode document)
            throws SaxonApiException {
        XsltTransformer transformer = executable.load();
        XdmDestination report = new XdmDestination();
        transformer.setInitialContextNode(document);
        transformer.setDestination(report);
        transformer.transform();
        List<Finding> findings = new ArrayList<>();
        report.getXdmNode()
                .select(Steps.descendant(Svrl.NS, "failed-assert"))
                .forEach(node -> findings.add(finding(node, source)));
        report.getXdmNode()
                .select(Steps.descendant(Svrl.NS, "successful-report"))
                .forEach(node -> findings.add(finding(node, source)));
        return findings;
    }

    private static Finding finding(XdmNode node, String source) {
        String text = node.select(Steps.child(Svrl.NS, "text"))
                .findFirst()
                .map(XdmNode::getStringValue)
                .orElse("")
                .replaceAll("\\s+", " ")
                .trim();
        String id = node.getAttributeValue(new QName("id"));
        return new Finding(
                id == null || id.isBlank() ? "UNNAMED" : id.trim(),
                false,
                text,
                Svrl.severity(node.getAttributeValue(new QName("flag"))),
                node.getAttributeValue(new QName("location")),
                source);
    }
}
