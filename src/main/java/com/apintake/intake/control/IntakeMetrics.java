package com.apintake.intake.control;

import java.util.Map;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricUnits;

/**
 * Names, units and HELP texts of the intake's /metrics families, so that Prometheus sees each family
 * documented, with its unit once in the name and times in seconds. The duration is a timer named
 * without its unit: Payara appends "_seconds" itself (a name ending in "_seconds" came out as
 * "..._seconds_seconds_count"). Its quantiles are switched off and replaced by buckets
 * (microprofile-config.properties, mp.metrics.distribution.*) because Payara 6.2025 prints timer
 * quantiles in nanoseconds next to a sum in seconds.
 */
final class IntakeMetrics {

    static final Metadata DURATION = Metadata.builder()
            .withName("apintake_intake")
            .withUnit(MetricUnits.NANOSECONDS)
            .withDescription("Time to receive one invoice file: fingerprint, extraction, validation and storage")
            .build();

    static final Metadata ACCEPT_DURATION = Metadata.builder()
            .withName("apintake_intake_accept")
            .withUnit(MetricUnits.NANOSECONDS)
            .withDescription("Time to acknowledge one asynchronous upload: fingerprint, file and job stored")
            .build();

    static final Metadata WORKER_DURATION = Metadata.builder()
            .withName("apintake_intake_worker")
            .withUnit(MetricUnits.NANOSECONDS)
            .withDescription("Time a queue worker takes for one invoice: extraction, validation and storage")
            .build();

    private static final Map<String, String> COUNTERS = Map.of(
            "apintake_invoices_received_total", "Invoices stored from new files (REST and inbox)",
            "apintake_invoices_duplicate_files_total",
                    "Files received again (same SHA-256) and answered with the earlier invoice",
            "apintake_exceptions_raised_total", "Exceptions raised for people to resolve by received invoices",
            "apintake_invoices_suspected_duplicates_total", "New invoices whose content matches an earlier invoice",
            "apintake_invoices_queued_total", "Files acknowledged asynchronously (202) and queued for a worker");

    private IntakeMetrics() {}

    /** Every counter's name, so that all are on /metrics at 0 from the start (Prometheus' rate() needs the 0). */
    static Iterable<String> counterNames() {
        return COUNTERS.keySet();
    }

    static Metadata counter(String name) {
        return Metadata.builder()
                .withName(name)
                .withDescription(COUNTERS.getOrDefault(name, name))
                .build();
    }
}
