package com.apintake.platform.boundary;

import com.apintake.platform.control.RequestsInFlight;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.annotation.Gauge;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * The admission limit (Admission) on /metrics, so that an operator sees it at work and a dashboard its
 * usage: the API requests in flight, the limit they are held to, and the requests it answered 503. The
 * refusals were only a log line every 10 s before, which no alert can read. The in-flight gauge reads the
 * limit's slots (RequestsInFlight): a request counts from its admission until the filter releases its
 * slot, just after the answer is written. With admission off (max-concurrent 0) nothing counts the
 * requests: the gauge reads NaN and the limit 0.
 */
@ApplicationScoped
public class AdmissionMetrics {

    /** A counter: Prometheus' rate() needs it on /metrics at 0 from start-up, not from the first refusal. */
    static final Metadata REFUSED = Metadata.builder()
            .withName("apintake_admission_refused_total")
            .withDescription(
                    "API requests answered 503 with Retry-After by the admission limit (apintake.admission.max-concurrent) since the server started")
            .build();

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry registry;

    @Inject
    RequestsInFlight requests;

    @Inject
    @ConfigProperty(name = "apintake.admission.max-concurrent", defaultValue = "16")
    int maxConcurrent;

    /** Looked up once: the registry's look-up by Metadata costs a builder and map probes per call. */
    volatile Counter refused;

    /** Registers the gauges and the counter at deployment rather than on first use. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        refusedCounter();
    }

    /** Counts one request refused by the admission limit; returns the count since the server started. */
    public long refusal() {
        Counter counter = refusedCounter();
        counter.inc();
        return counter.getCount();
    }

    @Gauge(
            name = "apintake_admission_in_flight",
            unit = MetricUnits.NONE,
            absolute = true,
            description =
                    "API requests admitted by the admission limit and not yet answered; NaN when the limit is off (apintake.admission.max-concurrent=0)")
    public double inFlight() {
        if (maxConcurrent <= 0) {
            return Double.NaN;
        }
        // -1 until the filter has handed its slots over (in its init): nothing admitted yet.
        return Math.max(0, requests.now());
    }

    @Gauge(
            name = "apintake_admission_limit",
            unit = MetricUnits.NONE,
            absolute = true,
            description =
                    "API requests the admission limit lets run at once (apintake.admission.max-concurrent); 0 when it is off")
    public double limit() {
        return Math.max(0, maxConcurrent);
    }

    private Counter refusedCounter() {
        Counter counter = refused;
        if (counter == null) {
            counter = registry.counter(REFUSED);
            refused = counter;
        }
        return counter;
    }
}
