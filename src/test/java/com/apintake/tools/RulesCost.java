package com.apintake.tools;

import com.apintake.validation.control.OfficialRules;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU and wall time per document of the official EN 16931 rules (OfficialRules, Saxon-HE), outside
 * the server, in rounds, so the warm-up shows: the profile of the synchronous intake's top cost.
 * Also prints the compile time (with the start-up warm-up), the CPU of the first document after it, and
 * what building the Saxon tree costs from the bytes and from the extraction's DOM ("parse once").
 * Run: {@code java -cp "target/classes:$(cat target/runtime/test-classpath.txt):target/test-classes"
 * com.apintake.tools.RulesCost [invoice.xml]} (default: the benchmark's UBL sample).
 */
public final class RulesCost {

    private RulesCost() {}

    public static void main(String[] args) throws Exception {
        byte[] xml =
                Files.readAllBytes(Path.of(args.length > 0 ? args[0] : "src/test/resources/invoices/ubl-invoice.xml"));
        var threads = ManagementFactory.getThreadMXBean();
        long compileCpu = threads.getCurrentThreadCpuTime();
        long compileWall = System.nanoTime();
        OfficialRules rules = OfficialRules.compiled("1.3.15", "3.0.2");
        System.out.printf(
                Locale.ROOT,
                "compile (with the start-up warm-up): CPU %.0f ms, wall %.0f ms%n",
                (threads.getCurrentThreadCpuTime() - compileCpu) / 1e6,
                (System.nanoTime() - compileWall) / 1e6);
        long firstCpu = threads.getCurrentThreadCpuTime();
        long firstWall = System.nanoTime();
        rules.check(xml);
        System.out.printf(
                Locale.ROOT,
                "first document: CPU %.1f ms, wall %.1f ms%n",
                (threads.getCurrentThreadCpuTime() - firstCpu) / 1e6,
                (System.nanoTime() - firstWall) / 1e6);
        int[] rounds = {200, 200, 200, 400, 400, 400};
        for (int round = 0; round < rounds.length; round++) {
            int documents = rounds[round];
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; i < documents; i++) {
                rules.check(xml);
            }
            System.out.printf(
                    Locale.ROOT,
                    "round %d: %d documents, CPU %.2f ms/document, wall %.2f ms/document%n",
                    round + 1,
                    documents,
                    (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / documents,
                    (System.nanoTime() - wall) / 1e6 / documents);
        }
        treeBuilding(xml, threads);
    }

    /**
     * What "parse once" could save: the rules build their own Saxon tree from the bytes while the
     * extraction has parsed the same bytes into a DOM. Times the three ways over the same document.
     */
    private static void treeBuilding(byte[] xml, java.lang.management.ThreadMXBean threads) throws Exception {
        var processor = new net.sf.saxon.s9api.Processor(false);
        var factories = javax.xml.parsers.DocumentBuilderFactory.newDefaultInstance();
        factories.setNamespaceAware(true);
        var parsers = javax.xml.parsers.SAXParserFactory.newDefaultInstance();
        parsers.setNamespaceAware(true);
        int documents = 2000;
        for (int round = 0; round < 2; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            org.w3c.dom.Document dom = null;
            for (int i = 0; i < documents; i++) {
                dom = factories.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml));
            }
            double domMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / documents;
            cpu = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < documents; i++) {
                processor
                        .newDocumentBuilder()
                        .build(new javax.xml.transform.sax.SAXSource(
                                parsers.newSAXParser().getXMLReader(),
                                new org.xml.sax.InputSource(new java.io.ByteArrayInputStream(xml))));
            }
            double saxMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / documents;
            cpu = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < documents; i++) {
                processor.newDocumentBuilder().build(new javax.xml.transform.dom.DOMSource(dom));
            }
            double fromDomMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / documents;
            System.out.printf(
                    Locale.ROOT,
                    "tree building, round %d (%d documents, CPU ms/document): DOM parse %.3f, Saxon tree from the bytes"
                            + " %.3f, Saxon tree from the DOM %.3f%n",
                    round + 1,
                    documents,
                    domMillis,
                    saxMillis,
                    fromDomMillis);
        }
    }
}
