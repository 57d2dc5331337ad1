package com.apintake.tools;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.entity.Extraction;
import com.apintake.intake.control.ApRules;
import com.apintake.intake.control.FileFingerprint;
import com.apintake.intake.entity.Invoice;
import com.apintake.platform.control.Sql;
import com.apintake.validation.control.OfficialRules;
import com.apintake.validation.entity.Finding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.sax.SAXSource;
import javax.xml.transform.stream.StreamSource;
import net.sf.saxon.s9api.DocumentBuilder;
import net.sf.saxon.s9api.NullDestination;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.QName;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;
import net.sf.saxon.s9api.streams.Predicates;
import net.sf.saxon.s9api.streams.Steps;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;

/**
 * JVM CPU per synchronous invoice, by part, without HTTP and without the database: what
 * {@code Intake.receive} computes before and around its storing transaction (hash, extraction with the
 * field limits, the official EN 16931 rules, the AP rules and the invoice's moves, the values of the
 * rows). Thread CPU time (ThreadMXBean) of this one thread, so the number hardly depends on how busy
 * the machine is; wall time is printed beside it for that reason only.
 *
 * <p>The baseline in the same run is the rules path as it was before issue 10's CPU round
 * ({@link TreeRules}: the same artefacts and releases, a new SAX parser and transformer per document,
 * the whole SVRL report built as a Saxon tree and searched with XPath steps). Its parts are timed one by
 * one, and a transform into Saxon's {@code NullDestination} gives the floor: the artefacts' own XPath
 * evaluation, which no change on our side can go below. Every document's findings from the current
 * {@code OfficialRules.check} are compared with the baseline's (rule, passed, detail, severity,
 * location, source, order); a difference stops the run.
 *
 * <p>Run (after {@code mvn package -DskipTests}, which writes the classpath file): {@code java -cp
 * "target/classes:target/test-classes:$(cat target/runtime/test-classpath.txt)" com.apintake.tools.SyncCost
 * [warm-up documents] [measured documents per round] [rounds]} (defaults 2000, 1000, 3), or {@code --cold
 * W N}: a fresh JVM's start-up with a warm-up of W documents and its first N documents after it. Documents: the
 * benchmark harness's UBL sample ({@code src/test/resources/invoices/ubl-invoice.xml}) alone, then the
 * 34 CEN examples ({@code src/test/resources/en16931-examples}) round robin.
 */
public final class SyncCost {

    private static final String[] PARTS = {
        "hash (SHA-256)",
        "extraction (DOM + readers + field limits)",
        "official rules, now (OfficialRules.check)",
        "AP rules + moves + row values",
        "rules before: SAX parser + Saxon tree",
        "rules before: transformer load()",
        "rules before: transform into SVRL tree",
        "rules before: read SVRL tree (XPath, regex)",
        "rules floor: published XSLT into NullDestination",
    };

    private SyncCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--cold")) {
            cold(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.println("load average at start: "
                + Files.readString(Path.of("/proc/loadavg")).trim());

        OfficialRules now = OfficialRules.compiled("1.3.15", "3.0.2");
        TreeRules before = new TreeRules("1.3.15", "3.0.2");
        InvoiceReader reader = new InvoiceReader();

        byte[] typical = Files.readAllBytes(Path.of("src/test/resources/invoices/ubl-invoice.xml"));
        List<byte[]> corpus = corpus();
        System.out.printf(
                Locale.ROOT,
                "documents: typical %d bytes, CEN corpus %d files; typical SVRL report: %s%n",
                typical.length,
                corpus.size(),
                before.reportShape(typical));

        // Same findings, document by document, before anything is timed.
        int compared = 0;
        for (byte[] document : concat(List.of(typical), corpus)) {
            byte[] xml = reader.invoiceXml(document).orElseThrow();
            List<Finding> expected = before.check(xml, new Meter());
            List<Finding> actual = now.check(xml);
            if (!expected.equals(actual)) {
                throw new IllegalStateException("findings differ:\nbefore " + expected + "\nnow    " + actual);
            }
            compared++;
        }
        System.out.println("findings identical before/now on " + compared + " documents");

        Map<String, List<byte[]>> sets = new LinkedHashMap<>();
        sets.put("typical (harness sample)", List.of(typical));
        sets.put("CEN examples (round robin)", corpus);
        for (var set : sets.entrySet()) {
            run(set.getValue(), warmUp, new Meter(), reader, now, before);
            System.out.printf(Locale.ROOT, "%n== %s, warm after %d documents ==%n", set.getKey(), warmUp);
            for (int round = 1; round <= rounds; round++) {
                Meter meter = new Meter();
                long wall = System.nanoTime();
                long process = processCpu();
                run(set.getValue(), perRound, meter, reader, now, before);
                double wallMs = (System.nanoTime() - wall) / 1e6 / perRound;
                double processMs = (processCpu() - process) / 1e6 / perRound;
                print(round, perRound, meter, wallMs, processMs);
            }
        }
    }

    private static void print(int round, int documents, Meter meter, double wallMs, double processMs) {
        long[] cpu = meter.cpu;
        double[] ms = new double[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            ms[i] = cpu[i] / 1e6 / documents;
        }
        double rulesBefore = ms[4] + ms[5] + ms[6] + ms[7];
        double syncNow = ms[0] + ms[1] + ms[2] + ms[3];
        double syncBefore = ms[0] + ms[1] + rulesBefore + ms[3];
        System.out.printf(
                Locale.ROOT,
                "round %d (%d documents; whole loop per document: wall %.2f ms, process CPU %.2f ms incl. JIT and GC)%n",
                round,
                documents,
                wallMs,
                processMs);
        System.out.printf(Locale.ROOT, "  %-48s %9s %9s %12s%n", "part", "CPU ms", "of sync", "allocated KB");
        for (int i = 0; i < ms.length; i++) {
            double whole = i >= 4 ? syncBefore : syncNow;
            System.out.printf(
                    Locale.ROOT,
                    "  %-48s %9.3f %8.1f%% %12.1f%n",
                    PARTS[i],
                    ms[i],
                    100 * ms[i] / whole,
                    meter.bytes[i] / 1024.0 / documents);
        }
        System.out.printf(Locale.ROOT, "  %-48s %9.3f%n", "rules before (sum of its four parts)", rulesBefore);
        System.out.printf(
                Locale.ROOT,
                "  %-48s %9.3f -> %.3f  (now/before %.2f; rules now/before %.2f; rules floor/now %.2f)%n",
                "sync JVM work before -> now",
                syncBefore,
                syncNow,
                syncNow / syncBefore,
                ms[2] / rulesBefore,
                ms[8] / ms[2]);
    }

    /**
     * The parts of one document, the current code and the baseline in turn; which of the two goes first
     * alternates from document to document, so neither gains from caches the other warmed.
     */
    private static void run(
            List<byte[]> documents, int count, Meter meter, InvoiceReader reader, OfficialRules now, TreeRules before) {
        for (int i = 0; i < count; i++) {
            byte[] document = documents.get(i % documents.size());
            if (i % 2 == 1) {
                baseline(reader, before, document, meter);
            }
            meter.start();
            String hash = FileFingerprint.of(document);
            meter.add(0);
            Extraction extraction = reader.read(document);
            Invoice invoice =
                    Invoice.received(hash, "bench.xml", extraction.format().mediaType(), document.length, extraction);
            byte[] xml = reader.invoiceXml(document).orElseThrow();
            meter.add(1);
            List<Finding> standard = now.check(xml);
            meter.add(2);
            decideAndRows(invoice, standard);
            meter.add(3);
            if (i % 2 == 0) {
                baseline(reader, before, document, meter);
            }
        }
    }

    private static void baseline(InvoiceReader reader, TreeRules before, byte[] document, Meter meter) {
        byte[] xml = reader.invoiceXml(document).orElseThrow();
        before.check(xml, meter);
        before.floor(xml, meter);
    }

    /**
     * What the start-up warm-up buys: in a fresh JVM, compile with {@code warmUp} documents, then the
     * synchronous JVM work on {@code documents} harness invoices and as many CEN examples, with the CPU of
     * the whole process (JIT compiler and GC threads included), as a just-started server pays it.
     */
    private static void cold(int warmUp, int documents) throws Exception {
        System.out.println("load average at start: "
                + Files.readString(Path.of("/proc/loadavg")).trim());
        long process = processCpu();
        long wall = System.nanoTime();
        OfficialRules now = OfficialRules.compiled("1.3.15", "3.0.2", warmUp);
        System.out.printf(
                Locale.ROOT,
                "start-up with a warm-up of %d documents: process CPU %.1f s, wall %.1f s%n",
                warmUp,
                (processCpu() - process) / 1e9,
                (System.nanoTime() - wall) / 1e9);
        InvoiceReader reader = new InvoiceReader();
        Map<String, List<byte[]>> sets = new LinkedHashMap<>();
        sets.put("typical", List.of(Files.readAllBytes(Path.of("src/test/resources/invoices/ubl-invoice.xml"))));
        sets.put("CEN examples", corpus());
        for (var set : sets.entrySet()) {
            for (int half = 1; half <= 2; half++) {
                Meter meter = new Meter();
                long before = processCpu();
                for (int i = 0; i < documents / 2; i++) {
                    byte[] document = set.getValue().get(i % set.getValue().size());
                    meter.start();
                    Extraction extraction = reader.read(document);
                    Invoice invoice = Invoice.received(
                            FileFingerprint.of(document),
                            "bench.xml",
                            extraction.format().mediaType(),
                            document.length,
                            extraction);
                    decideAndRows(invoice, now.check(reader.invoiceXml(document).orElseThrow()));
                    meter.add(0);
                }
                System.out.printf(
                        Locale.ROOT,
                        "warm-up %d, %s, documents %d-%d after start-up: thread CPU %.2f ms, process CPU %.2f ms,"
                                + " allocated %.0f KB per document%n",
                        warmUp,
                        set.getKey(),
                        (half - 1) * documents / 2 + 1,
                        half * documents / 2,
                        meter.cpu[0] / 1e6 / (documents / 2),
                        (processCpu() - before) / 1e6 / (documents / 2),
                        meter.bytes[0] / 1024.0 / (documents / 2));
            }
        }
    }

    private static List<byte[]> corpus() throws IOException {
        List<byte[]> corpus = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(
                Files.list(Path.of("src/test/resources/en16931-examples/ubl")),
                Files.list(Path.of("src/test/resources/en16931-examples/cii")))) {
            for (Path file : files.filter(
                            f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".xml"))
                    .sorted()
                    .toList()) {
                corpus.add(Files.readAllBytes(file));
            }
        }
        return corpus;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Thread CPU time and allocated bytes of this thread, summed per part. */
    static final class Meter {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long[] cpu = new long[PARTS.length];
        final long[] bytes = new long[PARTS.length];
        private long lastCpu;
        private long lastBytes;

        void start() {
            lastCpu = threads.getCurrentThreadCpuTime();
            lastBytes = threads.getCurrentThreadAllocatedBytes();
        }

        /** Adds what was spent since the last start() or add() to the part. */
        void add(int part) {
            long nowCpu = threads.getCurrentThreadCpuTime();
            long nowBytes = threads.getCurrentThreadAllocatedBytes();
            cpu[part] += nowCpu - lastCpu;
            bytes[part] += nowBytes - lastBytes;
            lastCpu = nowCpu;
            lastBytes = nowBytes;
        }
    }

    /**
     * Registration.decide without the database (an unknown seller, as in the harness), the invoice's
     * moves, and what the storing statements bind: the extraction's JSON, the validations' six arrays,
     * the answer's view.
     */
    private static Object decideAndRows(Invoice invoice, List<Finding> standard) {
        var data = invoice.data();
        String iban = ApRules.normalizeIban(data.sellerIban());
        List<Finding> ours = new ArrayList<>();
        ours.add(ApRules.vendorMatch(Optional.empty(), data));
        ours.add(ApRules.confidence(invoice.overallConfidence(), 0.8));
        invoice.judge(standard, ours, null, null);
        List<Finding> findings = invoice.findings();
        List<Object> row = new ArrayList<>();
        row.add(iban);
        row.add(invoice.extraction().fieldsJson().toString());
        row.add(invoice.extraction().confidenceJson().toString());
        row.add(Sql.array("text", findings.stream().map(Finding::rule).toList()));
        row.add(Sql.array("boolean", findings.stream().map(Finding::passed).toList()));
        row.add(Sql.array("text", findings.stream().map(Finding::detail).toList()));
        row.add(Sql.array("text", findings.stream().map(Finding::severity).toList()));
        row.add(Sql.array("text", findings.stream().map(Finding::location).toList()));
        row.add(Sql.array("text", findings.stream().map(Finding::source).toList()));
        row.add(invoice.raised().stream().map(Invoice.Raised::detail).toList());
        row.add(invoice.view(1L, OffsetDateTime.now(), OffsetDateTime.now()));
        return row;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The official rules as OfficialRules/RuleSet/Svrl ran them before this round (commit 7943a59),
     * kept here as the baseline: per document a new SAX parser and a new transformer, the SVRL report
     * built as a Saxon tree, failed asserts found by descendant steps, the text normalised by a regex.
     */
    static final class TreeRules {
        private static final String NS = "http://purl.oclc.org/dsdl/svrl";
        private static final QName ID = new QName("id");
        private static final QName FLAG = new QName("flag");
        private static final QName LOCATION = new QName("location");

        private final Processor processor = new Processor(false);
        private final SAXParserFactory parsers;
        private final XsltExecutable ublRules;
        private final XsltExecutable ciiRules;
        private final XsltExecutable xrechnungUbl;
        private final XsltExecutable xrechnungCii;
        private final String en16931;
        private final String xrechnung;

        TreeRules(String en16931Release, String xrechnungRelease) throws Exception {
            en16931 = "EN16931 " + en16931Release;
            xrechnung = "XRechnung " + xrechnungRelease;
            ublRules = compile("external/schematron/%s/ubl/EN16931-UBL-validation.xslt".formatted(en16931Release));
            ciiRules = compile("external/schematron/%s/cii/EN16931-CII-validation.xslt".formatted(en16931Release));
            xrechnungUbl = compile("external/schematron/%s/XRechnung-UBL-validation.xslt".formatted(xrechnungRelease));
            xrechnungCii = compile("external/schematron/%s/XRechnung-CII-validation.xslt".formatted(xrechnungRelease));
            parsers = SAXParserFactory.newDefaultInstance();
            parsers.setNamespaceAware(true);
            parsers.setValidating(false);
            parsers.setXIncludeAware(false);
            parsers.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            parsers.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            parsers.setFeature("http://xml.org/sax/features/external-general-entities", false);
            parsers.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            parsers.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        }

        private XsltExecutable compile(String resource) throws Exception {
            URL url = SyncCost.class.getClassLoader().getResource(resource);
            try (InputStream in = url.openStream()) {
                return processor.newXsltCompiler().compile(new StreamSource(in, url.toString()));
            }
        }

        /** Counts of the report's element kinds for the typical document: what the SVRL tree holds. */
        String reportShape(byte[] xml) throws Exception {
            XdmNode document = parse(xml);
            XsltTransformer transformer = ublRules.load();
            XdmDestination report = new XdmDestination();
            transformer.setInitialContextNode(document);
            transformer.setDestination(report);
            transformer.transform();
            Map<String, Long> counts = new LinkedHashMap<>();
            report.getXdmNode()
                    .select(Steps.descendant(Predicates.isElement()))
                    .forEach(n -> counts.merge(n.getNodeName().getLocalName(), 1L, Long::sum));
            return counts.toString();
        }

        List<Finding> check(byte[] xml, Meter meter) {
            try {
                meter.start();
                XdmNode document = parse(xml);
                XdmNode root = document.select(Steps.child(Predicates.isElement()))
                        .findFirst()
                        .orElseThrow();
                boolean ubl = !"CrossIndustryInvoice".equals(root.getNodeName().getLocalName());
                meter.add(4);
                List<Finding> findings = new ArrayList<>(
                        run(OfficialRules.EN16931, en16931, ubl ? ublRules : ciiRules, document, meter));
                meter.start();
                String customization = ubl
                        ? root.select(Steps.child(
                                        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
                                        "CustomizationID"))
                                .findFirst()
                                .map(n -> n.getStringValue().trim())
                                .orElse(null)
                        : root.select(Steps.child(
                                                "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
                                                "ExchangedDocumentContext")
                                        .then(Steps.child(
                                                "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
                                                "GuidelineSpecifiedDocumentContextParameter"))
                                        .then(Steps.child(
                                                "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
                                                "ID")))
                                .findFirst()
                                .map(n -> n.getStringValue().trim())
                                .orElse(null);
                meter.add(7);
                if (customization != null
                        && customization.toLowerCase(Locale.ROOT).contains("xrechnung")) {
                    findings.addAll(run(
                            OfficialRules.XRECHNUNG, xrechnung, ubl ? xrechnungUbl : xrechnungCii, document, meter));
                }
                return findings;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The artefacts' evaluation alone: the same transform with its output thrown away. */
        void floor(byte[] xml, Meter meter) {
            try {
                XdmNode document = parse(xml);
                boolean ubl = !"CrossIndustryInvoice"
                        .equals(document.select(Steps.child(Predicates.isElement()))
                                .findFirst()
                                .orElseThrow()
                                .getNodeName()
                                .getLocalName());
                meter.start();
                XsltTransformer transformer = (ubl ? ublRules : ciiRules).load();
                transformer.setInitialContextNode(document);
                transformer.setDestination(new NullDestination());
                transformer.transform();
                meter.add(8);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private List<Finding> run(String name, String source, XsltExecutable rules, XdmNode document, Meter meter)
                throws Exception {
            meter.start();
            XsltTransformer transformer = rules.load();
            meter.add(5);
            XdmDestination report = new XdmDestination();
            transformer.setInitialContextNode(document);
            transformer.setDestination(report);
            transformer.transform();
            meter.add(6);
            List<Finding> failures = new ArrayList<>();
            report.getXdmNode()
                    .select(Steps.descendant(NS, "failed-assert"))
                    .forEach(node -> failures.add(finding(node, source)));
            report.getXdmNode()
                    .select(Steps.descendant(NS, "successful-report"))
                    .forEach(node -> failures.add(finding(node, source)));
            long fatal = failures.stream().filter(Finding::fails).count();
            List<Finding> findings = new ArrayList<>(failures.size() + 1);
            findings.add(new Finding(
                    name,
                    fatal == 0,
                    String.format(
                            Locale.ROOT,
                            "Validated with the %s rules: %d fatal, %d other failed asserts.",
                            source,
                            fatal,
                            failures.size() - fatal),
                    Finding.INFORMATION,
                    null,
                    source));
            findings.addAll(failures);
            meter.add(7);
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
            String flag = node.getAttributeValue(FLAG);
            String severity = flag == null
                    ? Finding.FATAL
                    : switch (flag.trim().toLowerCase(Locale.ROOT)) {
                        case "warning", "warn" -> Finding.WARNING;
                        case "information", "info" -> Finding.INFORMATION;
                        default -> Finding.FATAL;
                    };
            return new Finding(
                    id == null || id.isBlank() ? "UNNAMED" : id.trim(),
                    false,
                    text,
                    severity,
                    node.getAttributeValue(LOCATION),
                    source);
        }

        private XdmNode parse(byte[] xml) throws Exception {
            XMLReader reader;
            synchronized (parsers) {
                reader = parsers.newSAXParser().getXMLReader();
            }
            reader.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not accepted");
            });
            DocumentBuilder builder = processor.newDocumentBuilder();
            builder.setLineNumbering(false);
            return builder.build(new SAXSource(reader, new InputSource(new ByteArrayInputStream(xml))));
        }
    }
}
