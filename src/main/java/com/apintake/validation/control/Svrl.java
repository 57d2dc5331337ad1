package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import net.sf.saxon.event.PipelineConfiguration;
import net.sf.saxon.event.Receiver;
import net.sf.saxon.event.SequenceReceiver;
import net.sf.saxon.om.AttributeMap;
import net.sf.saxon.om.Item;
import net.sf.saxon.om.NamespaceMap;
import net.sf.saxon.om.NodeName;
import net.sf.saxon.s9api.AbstractDestination;
import net.sf.saxon.s9api.Location;
import net.sf.saxon.serialize.SerializationProperties;
import net.sf.saxon.str.UnicodeString;
import net.sf.saxon.trans.XPathException;
import net.sf.saxon.type.SchemaType;

/**
 * Reads a Schematron Validation Report (SVRL, ISO/IEC 19757-3 annex D), the output of the compiled
 * artefacts, into findings while the transform writes it. A {@code failed-assert} (and a {@code
 * successful-report}, which the CEN artefacts do not use but CIUS layers may) is one failed rule at one
 * place in the document; the report says nothing about rules that held, so only failures come back.
 *
 * <p>Why a receiver and not a result tree: only failures are read, and searching a whole report for
 * them again (two descendant walks, a regex per finding) was 3-4 % of the rules' CPU (docs/sync-cpu.md).
 * Here every event outside a failure is dropped as it arrives.
 *
 * <p>One instance per transform; the findings come back in the order a tree search gave them: every
 * failed assert in document order, then every successful report.
 */
final class Svrl extends AbstractDestination {

    static final String NS = "http://purl.oclc.org/dsdl/svrl";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String source;
    private final List<Finding> failedAsserts = new ArrayList<>();
    private final List<Finding> successfulReports = new ArrayList<>();

    Svrl(String source) {
        this.source = source;
    }

    /** Every failed assert and successful report of the report written so far, attributed to the source. */
    List<Finding> failures() {
        List<Finding> findings = new ArrayList<>(failedAsserts.size() + successfulReports.size());
        findings.addAll(failedAsserts);
        findings.addAll(successfulReports);
        return findings;
    }

    @Override
    public Receiver getReceiver(PipelineConfiguration pipe, SerializationProperties params) {
        return new Reader(pipe);
    }

    @Override
    public void close() {
        // nothing held open: the findings are plain objects
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

    /** Keeps the attributes of a failure and the string value of its first {@code svrl:text} child. */
    private final class Reader extends SequenceReceiver {
        private int depth;
        private int failureDepth = -1;
        private boolean report;
        private String id;
        private String flag;
        private String location;
        private int textDepth = -1;
        private StringBuilder text;

        Reader(PipelineConfiguration pipe) {
            super(pipe);
        }

        @Override
        public void startElement(
                NodeName name,
                SchemaType type,
                AttributeMap attributes,
                NamespaceMap namespaces,
                Location where,
                int properties) {
            depth++;
            if (failureDepth < 0) {
                if (NS.equals(name.getURI())
                        && ("failed-assert".equals(name.getLocalPart())
                                || "successful-report".equals(name.getLocalPart()))) {
                    failureDepth = depth;
                    report = "successful-report".equals(name.getLocalPart());
                    id = attributes.getValue("id");
                    flag = attributes.getValue("flag");
                    location = attributes.getValue("location");
                    text = null;
                }
            } else if (text == null
                    && depth == failureDepth + 1
                    && NS.equals(name.getURI())
                    && "text".equals(name.getLocalPart())) {
                textDepth = depth;
                text = new StringBuilder();
            }
        }

        @Override
        public void characters(UnicodeString chars, Location where, int properties) {
            if (textDepth >= 0) {
                text.append(chars);
            }
        }

        @Override
        public void endElement() {
            if (depth == textDepth) {
                textDepth = -1;
            } else if (depth == failureDepth) {
                failureDepth = -1;
                Finding finding = new Finding(
                        id == null || id.isBlank() ? "UNNAMED" : id.trim(),
                        false,
                        text == null
                                ? ""
                                : WHITESPACE.matcher(text).replaceAll(" ").trim(),
                        severity(flag),
                        location,
                        source);
                (report ? successfulReports : failedAsserts).add(finding);
            }
            depth--;
        }

        /** Nodes copied into the report whole (xsl:copy-of) arrive as items: read them as events too. */
        @Override
        public void append(Item item, Location where, int copyNamespaces) throws XPathException {
            decompose(item, where, copyNamespaces);
        }

        @Override
        public void startDocument(int properties) {
            // the report's document node carries nothing to read
        }

        @Override
        public void endDocument() {
            // nothing to finish: findings are kept as their elements end
        }

        @Override
        public void processingInstruction(String target, UnicodeString data, Location where, int properties) {
            // not part of a string value
        }

        @Override
        public void comment(UnicodeString content, Location where, int properties) {
            // not part of a string value
        }

        @Override
        public void close() {
            // nothing held open
        }
    }
}
