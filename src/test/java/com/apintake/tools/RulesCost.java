package com.apintake.tools;

import com.apintake.validation.control.OfficialRules;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU and wall time per document of the official EN 16931 rules (OfficialRules, Saxon-HE), outside
 * the server, in rounds, so the warm-up shows: the profile of the synchronous intake's top cost.
 * Run: {@code java -cp "target/classes:$(cat target/runtime/test-classpath.txt):target/test-classes"
 * com.apintake.tools.RulesCost [invoice.xml]} (default: the benchmark's UBL sample).
 */
public final class RulesCost {

    private RulesCost() {}

    public static void main(String[] args) throws Exception {
        byte[] xml =
                Files.readAllBytes(Path.of(args.length > 0 ? args[0] : "src/test/resources/invoices/ubl-invoice.xml"));
        OfficialRules rules = OfficialRules.compiled("1.3.15", "3.0.2");
        var threads = ManagementFactory.getThreadMXBean();
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
    }
}
