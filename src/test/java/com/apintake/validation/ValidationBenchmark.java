package com.apintake.validation;

import com.apintake.testsupport.InvoiceSamples;
import com.apintake.validation.control.OfficialRules;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the official rules cost: compiling the four rule sets once in a fresh JVM (what a start-up
 * pays), then milliseconds per document once warm, for our 9 KB UBL sample, our CII XRechnung sample
 * (two rule sets) and the 34 published examples, on one thread and on as many threads as cores.
 * Prints the load average beside the figures: on a shared machine they move with it.
 *
 * <pre>
 * mvn -B -ntp -o -q -DskipTests package
 * java -cp "target/test-classes:target/classes:$(cat target/runtime/test-classpath.txt)" \
 *      com.apintake.validation.ValidationBenchmark [warmup=2000] [rounds=2000]
 * </pre>
 */
public final class ValidationBenchmark {

    /** CPU time of this thread: on a machine shared with other work it says what a document costs, wall time says what it waited. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        System.out.println("load average before: " + loadAverage());

        long start = System.nanoTime();
        long startCpu = CPU.getCurrentThreadCpuTime();
        OfficialRules rules = OfficialRules.compiled("1.3.15", "3.0.2");
        System.out.printf(
                Locale.ROOT,
                "compile (4 rule sets, cold JVM): %.0f ms wall, %.0f ms CPU of the compiling thread%n",
                (System.nanoTime() - start) / 1e6,
                (CPU.getCurrentThreadCpuTime() - startCpu) / 1e6);

        byte[] ubl = InvoiceSamples.bytes(InvoiceSamples.UBL_INVOICE);
        byte[] cii = InvoiceSamples.bytes(InvoiceSamples.CII);
        List<byte[]> examples = new ArrayList<>();
        try (var files = Files.walk(Path.of("src/test/resources/en16931-examples"))) {
            for (Path file : files.filter(
                            f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".xml"))
                    .sorted()
                    .toList()) {
                examples.add(Files.readAllBytes(file));
            }
        }

        long warm = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            rules.check(ubl);
            rules.check(cii);
            rules.check(examples.get(i % examples.size()));
        }
        System.out.printf(
                Locale.ROOT, "warm-up: %d x 3 documents in %.1f s%n", warmup, (System.nanoTime() - warm) / 1e9);

        report("UBL sample (" + ubl.length + " bytes, EN16931)", rules, List.of(ubl), rounds);
        report("CII sample (" + cii.length + " bytes, EN16931 + XRechnung)", rules, List.of(cii), rounds);
        report("34 published examples, round robin", rules, examples, rounds);

        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            int perThread = rounds;
            long t0 = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        rules.check(ubl);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "UBL sample on %d threads: %.0f documents/s%n",
                    threads,
                    threads * perThread / seconds);
        } finally {
            pool.shutdown();
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static void report(String what, OfficialRules rules, List<byte[]> documents, int rounds) {
        double[] millis = new double[rounds];
        double[] cpu = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            byte[] document = documents.get(i % documents.size());
            long c = CPU.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            rules.check(document);
            millis[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (CPU.getCurrentThreadCpuTime() - c) / 1e6;
        }
        Arrays.sort(millis);
        Arrays.sort(cpu);
        System.out.printf(
                Locale.ROOT,
                "%s: wall median %.2f ms, p95 %.2f ms; CPU median %.2f ms, mean %.2f ms (%d documents, 1 thread)%n",
                what,
                millis[rounds / 2],
                millis[(int) (rounds * 0.95)],
                cpu[rounds / 2],
                Arrays.stream(cpu).sum() / rounds,
                rounds);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
