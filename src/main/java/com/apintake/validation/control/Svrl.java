package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.sf.saxon.s9api.QName;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.streams.Steps;

/**
 * Reads a Schematron Validation Report (SVRL, ISO/IEC 19757-3 annex D), the output of the compiled
 * artefacts, into findings. A {@code failed-assert} (and a {@code successful-report}, which the CEN
 * artefacts do not use but CIUS layers may) is one failed rule at one place in the document; the
 * report says nothing about rules that held, so only failures come back.
 */
final class Svrl {

    static final String NS = "http://purl.oclc.org/dsdl/svrl";
    private static final QName ID = new QName("id");
    private static final QName FLAG = new QName("flag");
    private static final QName LOCATION = new QName("location");

    private Svrl() {}

    /** Every failed assert and successful report of {@code report}, attributed to {@code source}. */
    static List<Finding> failures(XdmNode report, String source) {
        List<Finding> findings = new ArrayList<>();
        report.select(Steps.descendant(NS, "failed-assert")).forEach(node -> findings.add(finding(node, source)));
        report.select(Steps.descendant(NS, "successful-report")).forEach(node -> findings.add(finding(node, source)));
        return findings;
    }

    private static Finding finding(XdmNode node, String source) {
        String text = node.select(Steps.child(NS, "text"))
                .findFirst()
                .map(XdmNode::getStringValue)
                .orElse("")
                .replaceAll("\\s+", " ")
                .trim();
        String id = node.getAttributeValue(ID);
        return new Finding(
                id == null || id.isBlank() ? "UNNAMED" : id.trim(),
                false,
                text,
                severity(node.getAttributeValue(FLAG)),
                node.getAttributeValue(LOCATION),
                source);
    }

    /**
     * The artefacts flag with {@code fatal} or {@code warning}; other Schematron producers write
     * {@code error} or {@code info}. An assert without a flag is a plain Schematron failure: fatal.
     */
    static String severity(String flag) {
        if (flag == null) {
            return Finding.FATAL;
        }
        return switch (flag.trim().toLowerCase(Locale.ROOT)) {
            case "warning", "warn" -> Finding.WARNING;
            case "information", "info" -> Finding.INFORMATION;
            default -> Finding.FATAL;
        };
    }
}
