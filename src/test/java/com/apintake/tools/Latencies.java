package com.apintake.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The benchmarks' one way to time calls made one after the other (HTTP requests, SQL statements) and
 * to sum up latencies: client-side wall time in milliseconds, warm-ups run first and not counted,
 * quantiles by nearest rank (the value at rank ceil(q x n) of the sorted list, never interpolated).
 */
final class Latencies {

    private Latencies() {}

    /** One call to time; it throws when the answer is not the expected one (the run then stops). */
    interface Call {
        void run() throws Exception;
    }

    record Stats(double median, double p95, double p99) {

        static Stats of(List<Double> millis) {
            if (millis.isEmpty()) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return new Stats(at(sorted, 0.5), at(sorted, 0.95), at(sorted, 0.99));
        }

        /** Nearest-rank quantile. */
        private static double at(List<Double> sorted, double quantile) {
            int rank = (int) Math.ceil(quantile * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
        }
    }

    /** Runs the call warmups times, then timed times, and sums up the timed ones. */
    static Stats sequential(int warmups, int timed, Call call) throws Exception {
        return Stats.of(timings(warmups, timed, call));
    }

    /** The timed calls' wall times in ms, in order, after warmups untimed ones. */
    static List<Double> timings(int warmups, int timed, Call call) throws Exception {
        for (int i = 0; i < warmups; i++) {
            call.run();
        }
        List<Double> millis = new ArrayList<>(timed);
        for (int i = 0; i < timed; i++) {
            long start = System.nanoTime();
            call.run();
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return millis;
    }
}
