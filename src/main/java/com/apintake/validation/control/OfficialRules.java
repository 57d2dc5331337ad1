package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Logger;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.sax.SAXSource;
import net.sf.saxon.s9api.DocumentBuilder;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.streams.Predicates;
import net.sf.saxon.s9api.streams.Steps;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.xml.sax.EntityResolver;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;

/**
 * Judges an invoice by the rules the standard publishes: the CEN/TC 434 validation artefacts for
 * EN 16931 (Schematron compiled to XSLT, one set for UBL and one for CII), and on top of them the
 * XRechnung CIUS rules when the document's specification identifier (BT-24) names XRechnung. The
 * XSLTs come from the phive rule jars, Saxon-HE runs them; they are compiled once, when the
 * application starts (a few seconds), and then cost milliseconds per document.
 *
 * <p>Every failed assert is a finding with the official rule id, flag, location and text. Each rule
 * set that ran adds one {@code information} finding named after it ({@code EN16931}, {@code
 * XRECHNUNG}) that says so and counts its failures, so the validations of an invoice always show
 * which rule sets judged it.
 */
@ApplicationScoped
public class OfficialRules {

    private static final Logger LOG = Logger.getLogger(OfficialRules.class.getName());

    static final String EN16931_UBL = "external/schematron/%s/ubl/EN16931-UBL-validation.xslt";
    static final String EN16931_CII = "external/schematron/%s/cii/EN16931-CII-validation.xslt";
    static final String XRECHNUNG_UBL = "external/schematron/%s/XRechnung-UBL-validation.xslt";
    static final String XRECHNUNG_CII = "external/schematron/%s/XRechnung-CII-validation.xslt";

    static final String UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    static final String UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    static final String UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
    static final String CII_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
    static final String CII_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";

    /** The name of the summary finding of the EN 16931 rule set. */
    public static final String EN16931 = "EN16931";
    /** The name of the summary finding of the XRechnung rule set. */
    public static final String XRECHNUNG = "XRECHNUNG";

    @Inject
    @ConfigProperty(name = "apintake.validation.en16931-release", defaultValue = "1.3.15")
    String en16931Release;

    @Inject
    @ConfigProperty(name = "apintake.validation.xrechnung-release", defaultValue = "3.0.2")
    String xrechnungRelease;

    /**
     * Documents checked at start-up, round robin over {@link #WARM_UP}, before the first upload: Saxon and
     * the JIT compiler reach their steady state only after a thousand documents or more, and until then
     * every invoice pays for it (docs/sync-cpu.md). At least the two bundled documents are checked.
     */
    @Inject
    @ConfigProperty(name = "apintake.validation.warm-up-documents", defaultValue = "2000")
    int warmUpDocuments;

    // package-private for SvrlTest, which reads the same reports as whole trees
    Processor processor;
    private SAXParserFactory parsers;
    /** Parsers between documents, at most one per request thread that validated at the same time. */
    private final BlockingQueue<XMLReader> idleParsers = new ArrayBlockingQueue<>(IDLE_PARSERS);

    private static final int IDLE_PARSERS = 32;
    RuleSet en16931Ubl;
    RuleSet en16931Cii;
    RuleSet xrechnungUbl;
    RuleSet xrechnungCii;

    /** Compiled outside the container: for tests and the benchmark. */
    public static OfficialRules compiled(String en16931Release, String xrechnungRelease) {
        return compiled(en16931Release, xrechnungRelease, WARM_UP.size());
    }

    /** Compiled outside the container, warmed up on that many documents (the tools compare warm-ups). */
    public static OfficialRules compiled(String en16931Release, String xrechnungRelease, int warmUpDocuments) {
        OfficialRules rules = new OfficialRules();
        rules.en16931Release = en16931Release;
        rules.xrechnungRelease = xrechnungRelease;
        rules.warmUpDocuments = warmUpDocuments;
        rules.compile();
        return rules;
    }

    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // touching the bean is enough: @PostConstruct compiles, so the first invoice does not wait for it
    }

    /**
     * Checked once at start-up, after compiling: the first document through Saxon paid 150-270 ms of
     * CPU for class loading and cold code (RulesCost, docs/intake.md); the warm-up takes that off the
     * first uploads. A UBL invoice (EN 16931 UBL) and a CII XRechnung (EN 16931 CII + XRechnung CII).
     */
    static final List<String> WARM_UP =
            List.of("validation/warm-up/ubl-invoice.xml", "validation/warm-up/cii-xrechnung.xml");

    @PostConstruct
    void compile() {
        long start = System.nanoTime();
        processor = new Processor(false);
        parsers = secureParsers();
        en16931Ubl = RuleSet.compile(processor, "EN16931 " + en16931Release, EN16931_UBL.formatted(en16931Release));
        en16931Cii = RuleSet.compile(processor, "EN16931 " + en16931Release, EN16931_CII.formatted(en16931Release));
        xrechnungUbl =
                RuleSet.compile(processor, "XRechnung " + xrechnungRelease, XRECHNUNG_UBL.formatted(xrechnungRelease));
        xrechnungCii =
                RuleSet.compile(processor, "XRechnung " + xrechnungRelease, XRECHNUNG_CII.formatted(xrechnungRelease));
        long compiled = System.nanoTime();
        int warmedUp = warmUp();
        LOG.info(() -> String.format(
                Locale.ROOT,
                "Compiled the official rule sets in %d ms, warmed up on %d documents in %d ms: EN16931 %s UBL %d ms,"
                        + " CII %d ms; XRechnung %s UBL %d ms, CII %d ms",
                (compiled - start) / 1_000_000,
                warmedUp,
                (System.nanoTime() - compiled) / 1_000_000,
                en16931Release,
                en16931Ubl.compileMillis(),
                en16931Cii.compileMillis(),
                xrechnungRelease,
                xrechnungUbl.compileMillis(),
                xrechnungCii.compileMillis()));
    }

    /** Checks the bundled documents round robin, warmUpDocuments in all (at least each once); returns how many. */
    private int warmUp() {
        List<byte[]> documents = new ArrayList<>();
        for (String resource : WARM_UP) {
            try (InputStream in = OfficialRules.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    LOG.warning("Rule warm-up document missing from the classpath: " + resource);
                    continue;
                }
                documents.add(in.readAllBytes());
            } catch (IOException e) {
                LOG.warning("Rule warm-up document " + resource + " unreadable: " + oneLine(e.getMessage()));
            }
        }
        int checked = 0;
        for (int i = 0; !documents.isEmpty() && i < Math.max(warmUpDocuments, documents.size()); i++) {
            try {
                check(documents.get(i % documents.size()));
                checked++;
            } catch (RuntimeException e) {
                // Only the first uploads' speed depends on it: start anyway.
                LOG.warning("Rule warm-up failed: " + oneLine(e.getMessage()));
                break;
            }
        }
        return checked;
    }

    /**
     * The findings of the official rule sets for one invoice document: UBL Invoice or CreditNote, or
     * CII CrossIndustryInvoice (for Factur-X, the embedded XML).
     *
     * @throws IllegalArgumentException when the bytes are not well-formed XML of one of those syntaxes
     *     (the extraction has refused such documents before they get here)
     */
    public List<Finding> check(byte[] invoiceXml) {
        XdmNode document = parse(invoiceXml);
        XdmNode root = document.select(Steps.child(Predicates.isElement()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the document has no root element"));
        String namespace = root.getNodeName().getNamespaceUri().toString();
        String name = root.getNodeName().getLocalName();
        boolean ubl = ("Invoice".equals(name) && UBL_INVOICE.equals(namespace))
                || ("CreditNote".equals(name) && UBL_CREDIT_NOTE.equals(namespace));
        boolean cii = "CrossIndustryInvoice".equals(name) && CII_RSM.equals(namespace);
        if (!ubl && !cii) {
            throw new IllegalArgumentException(
                    "not a UBL Invoice/CreditNote or CII CrossIndustryInvoice: {" + namespace + "}" + name);
        }
        List<Finding> findings = new ArrayList<>(run(EN16931, ubl ? en16931Ubl : en16931Cii, document));
        String customization = ubl ? ublCustomization(root) : ciiCustomization(root);
        if (namesXRechnung(customization)) {
            findings.addAll(run(XRECHNUNG, ubl ? xrechnungUbl : xrechnungCii, document));
        }
        return findings;
    }

    /**
     * XRechnung identifiers read {@code urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0}
     * (and {@code ...urn:xoev-de:kosit:standard:xrechnung_2.x} before 3.0). The newest rule set is
     * applied to all of them: it checks the identifier itself (BR-DE-21), as a warning, so an older
     * version is told so without being failed for it.
     */
    static boolean namesXRechnung(String customizationId) {
        return customizationId != null
                && customizationId.toLowerCase(Locale.ROOT).contains("xrechnung");
    }

    private static List<Finding> run(String name, RuleSet rules, XdmNode document) {
        try {
            List<Finding> failures = rules.apply(document);
            long fatal = failures.stream().filter(Finding::fails).count();
            long warnings = failures.size() - fatal;
            List<Finding> findings = new ArrayList<>(failures.size() + 1);
            findings.add(new Finding(
                    name,
                    fatal == 0,
                    String.format(
                            Locale.ROOT,
                            "Validated with the %s rules: %d fatal, %d other failed asserts.",
                            rules.source(),
                            fatal,
                            warnings),
                    Finding.INFORMATION,
                    null,
                    rules.source()));
            findings.addAll(failures);
            return findings;
        } catch (SaxonApiException e) {
            // A dynamic error inside the artefacts (seen only with documents far off the syntax): the
            // invoice cannot be said to satisfy the rules, so it fails and a person looks at it.
            return List.of(new Finding(
                    name,
                    false,
                    "The " + rules.source() + " rules stopped on this document: " + oneLine(e.getMessage()),
                    Finding.FATAL,
                    null,
                    rules.source()));
        }
    }

    private static String ublCustomization(XdmNode root) {
        return root.select(Steps.child(UBL_CBC, "CustomizationID"))
                .findFirst()
                .map(n -> n.getStringValue().trim())
                .orElse(null);
    }

    private static String ciiCustomization(XdmNode root) {
        return root.select(Steps.child(CII_RSM, "ExchangedDocumentContext")
                        .then(Steps.child(CII_RAM, "GuidelineSpecifiedDocumentContextParameter"))
                        .then(Steps.child(CII_RAM, "ID")))
                .findFirst()
                .map(n -> n.getStringValue().trim())
                .orElse(null);
    }

    /**
     * Parsed for Saxon with DTDs refused and nothing outside the document ever read. The SAX parsers are
     * reused: a fresh Xerces parser costs its whole set-up (symbol table, scanner) on its first document,
     * about a quarter of a parse of the harness's invoice (docs/sync-cpu.md). A parser serves one
     * document at a time; it goes back to the pool only after a parse that ended normally.
     */
    XdmNode parse(byte[] xml) {
        try {
            XMLReader reader = idleParsers.poll();
            if (reader == null) {
                // SAXParserFactory is not guaranteed thread-safe; it is only configured once, in compile().
                synchronized (parsers) {
                    reader = parsers.newSAXParser().getXMLReader();
                }
                reader.setEntityResolver(REFUSE_ENTITIES);
            }
            DocumentBuilder builder = processor.newDocumentBuilder();
            builder.setLineNumbering(false);
            XdmNode document = builder.build(new SAXSource(reader, new InputSource(new ByteArrayInputStream(xml))));
            release(reader);
            return document;
        } catch (SaxonApiException | SAXException | ParserConfigurationException e) {
            throw new IllegalArgumentException("the invoice XML cannot be read: " + oneLine(e.getMessage()), e);
        }
    }

    /** Saxon's handlers hold the tree they built: the idle parser lets it go with the document. */
    private void release(XMLReader reader) {
        try {
            reader.setContentHandler(null);
            reader.setDTDHandler(null);
            reader.setErrorHandler(null);
            reader.setProperty("http://xml.org/sax/properties/lexical-handler", null);
            idleParsers.offer(reader);
        } catch (SAXException e) {
            // a parser that does not take the reset is simply not reused
        }
    }

    private static final EntityResolver REFUSE_ENTITIES = (publicId, systemId) -> {
        throw new SAXException("external entities are not accepted");
    };

    private static SAXParserFactory secureParsers() {
        try {
            SAXParserFactory factory = SAXParserFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return factory;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("XML parser cannot be secured: " + e.getMessage(), e);
        }
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown reason";
        }
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
