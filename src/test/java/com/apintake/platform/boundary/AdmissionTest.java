package com.apintake.platform.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.platform.control.RequestsInFlight;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.metrics.Counter;
import org.junit.jupiter.api.Test;

/**
 * The admission filter's figures on /metrics, without a server: a refusal counts exactly once and an
 * admitted request never; the in-flight gauge follows the slots taken; with the limit off it reads NaN.
 */
class AdmissionTest {

    @Test
    void onlyARefusalCountsAndTheGaugeFollowsTheSlots() throws Exception {
        AdmissionMetrics metrics = metrics(1);
        Admission admission = admission(1, metrics);
        assertThat(metrics.inFlight()).isZero();
        assertThat(metrics.limit()).isEqualTo(1);
        assertThat(metrics.refused.getCount()).isZero();

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Answer held = new Answer();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            try {
                admission.doFilter(request(), held.response(), (req, res) -> {
                    entered.countDown();
                    await(release);
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(metrics.inFlight()).as("the held request").isEqualTo(1);

        Answer refused = new Answer();
        admission.doFilter(request(), refused.response(), (req, res) -> {
            throw new AssertionError("a request beyond the limit must not run");
        });
        assertThat(refused.status).isEqualTo(503);
        assertThat(refused.headers).containsEntry("Retry-After", "1");
        assertThat(refused.body.toString()).contains("\"status\":503");
        assertThat(metrics.refused.getCount()).isEqualTo(1);
        assertThat(metrics.inFlight()).as("a refused request holds no slot").isEqualTo(1);

        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(held.status)
                .as("the admitted request's answer is the chain's")
                .isZero();
        assertThat(metrics.inFlight()).isZero();

        Answer admitted = new Answer();
        admission.doFilter(request(), admitted.response(), (req, res) -> {});
        assertThat(admitted.status).isZero();
        assertThat(metrics.refused.getCount())
                .as("admitted requests never count")
                .isEqualTo(1);
        assertThat(metrics.inFlight()).isZero();
    }

    @Test
    void withTheLimitOffNothingIsCountedAndTheGaugeIsNaN() throws Exception {
        AdmissionMetrics metrics = metrics(0);
        Admission admission = admission(0, metrics);
        for (int i = 0; i < 3; i++) {
            Answer answer = new Answer();
            admission.doFilter(request(), answer.response(), (req, res) -> {});
            assertThat(answer.status).isZero();
        }
        assertThat(metrics.refused.getCount()).isZero();
        assertThat(metrics.inFlight()).isNaN();
        assertThat(metrics.limit()).isZero();
    }

    private static AdmissionMetrics metrics(int limit) {
        AdmissionMetrics metrics = new AdmissionMetrics();
        metrics.requests = new RequestsInFlight();
        metrics.maxConcurrent = limit;
        metrics.refused = new SimpleCounter();
        return metrics;
    }

    private static Admission admission(int limit, AdmissionMetrics metrics) {
        Admission admission = new Admission();
        admission.maxConcurrent = limit;
        admission.maxWaitMillis = 50;
        admission.retryAfterSeconds = 1;
        admission.inFlight = metrics.requests;
        admission.metrics = metrics;
        admission.init();
        return admission;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpServletRequest request() {
        return (HttpServletRequest) Proxy.newProxyInstance(
                AdmissionTest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    /** What the filter wrote: status (0 when it set none), headers and body. */
    private static final class Answer {
        int status;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {}

                @Override
                public void write(int b) {
                    body.write(b);
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(
                    AdmissionTest.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class},
                    (proxy, m, args) -> switch (m.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "setHeader" -> {
                            headers.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "setContentType", "setCharacterEncoding" -> null;
                        case "getOutputStream" -> out;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    private static final class SimpleCounter implements Counter {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void inc() {
            count.incrementAndGet();
        }

        @Override
        public void inc(long n) {
            count.addAndGet(n);
        }

        @Override
        public long getCount() {
            return count.get();
        }
    }
}
