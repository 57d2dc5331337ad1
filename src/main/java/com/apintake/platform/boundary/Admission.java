package com.apintake.platform.boundary;

import com.apintake.platform.control.RequestsInFlight;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Admission control for the API: at most apintake.admission.max-concurrent requests run at once; one
 * more waits up to apintake.admission.max-wait-ms for a slot (first come, first served) and is then
 * answered 503 with Retry-After instead of queueing behind the JDBC pool until the client gives up.
 * Without it, every HTTP worker thread (200 by default) takes a request, all but the pool's
 * connections wait in the pool for up to its max wait, latency grows for everyone and the clients
 * time out: the collapse docs/read-path.md describes. 0 turns the limit off. Health and metrics (at
 * the server root) are never limited. The requests in flight, the limit and the refusals are on /metrics
 * (AdmissionMetrics).
 */
@WebFilter(urlPatterns = "/api/*", asyncSupported = true)
public class Admission extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(Admission.class.getName());

    /** At most one log line about refused requests per this many ms. */
    static final long LOG_EVERY_MS = 10_000;

    @Inject
    @ConfigProperty(name = "apintake.admission.max-concurrent", defaultValue = "16")
    int maxConcurrent;

    @Inject
    @ConfigProperty(name = "apintake.admission.max-wait-ms", defaultValue = "500")
    long maxWaitMillis;

    @Inject
    @ConfigProperty(name = "apintake.admission.retry-after-seconds", defaultValue = "1")
    int retryAfterSeconds;

    /** Lets the pool-size estimate read the requests in flight off these slots (no cost per request). */
    @Inject
    RequestsInFlight inFlight;

    /** Counts the refusals on /metrics (apintake_admission_refused_total). */
    @Inject
    AdmissionMetrics metrics;

    private Semaphore slots;
    private final AtomicLong lastLog = new AtomicLong();

    @Override
    public void init() {
        slots = maxConcurrent > 0 ? new Semaphore(maxConcurrent, true) : null;
        if (slots != null) {
            inFlight.track(slots, maxConcurrent);
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (slots == null) {
            chain.doFilter(request, response);
            return;
        }
        boolean admitted;
        try {
            admitted = slots.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            refuse(response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            slots.release();
        }
    }

    private void refuse(HttpServletResponse response) throws IOException {
        long count = metrics.refusal();
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_MS && lastLog.compareAndSet(last, now)) {
            LOG.warning("Overload: " + count + " API requests refused with 503 so far (more than " + maxConcurrent
                    + " at once for " + maxWaitMillis + " ms)");
        }
        String body = Json.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", "Service Unavailable")
                .add("status", 503)
                .add(
                        "detail",
                        "The server is at capacity (" + maxConcurrent + " requests at once). Retry after "
                                + retryAfterSeconds + " s.")
                .build()
                .toString();
        response.setStatus(503);
        response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
}
