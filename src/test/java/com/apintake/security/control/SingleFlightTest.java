package com.apintake.security.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private final SingleFlight<String, String> flights = new SingleFlight<>();

    @Test
    void concurrentCallersOfOneKeyShareOneComputation() throws Exception {
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Future<String> first = pool.submit(() -> flights.run("alice", () -> {
                computed.incrementAndGet();
                started.countDown();
                await(release);
                return "checked";
            }));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<String>> others = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                others.add(pool.submit(() -> flights.run("alice", () -> {
                    computed.incrementAndGet();
                    return "a second check";
                })));
            }
            // the seven wait for the running check; then it finishes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (flights.waiting() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(flights.waiting()).isEqualTo(7);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("checked");
            for (Future<String> other : others) {
                assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("checked");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(computed.get()).isOne();
        assertThat(flights.running()).isZero();
    }

    @Test
    void differentKeysDoNotWaitForEachOther() {
        assertThat(flights.run("alice", () -> flights.run("bob", () -> "bob's")))
                .isEqualTo("bob's");
    }

    @Test
    void aFailureReachesTheCallerAndTheNextCallComputesAgain() {
        assertThatThrownBy(() -> flights.run("alice", () -> {
                    throw new IllegalStateException("database down");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("database down");
        assertThat(flights.running()).isZero();
        assertThat(flights.run("alice", () -> "checked")).isEqualTo("checked");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
