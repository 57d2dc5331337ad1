package com.apintake.security.control;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs one computation per key at a time: callers that ask for a key while its computation runs wait
 * for that one and share its result (or its exception) instead of starting their own. The credential
 * check uses it so that when a user's cached verification expires, the many concurrent requests of that
 * user cost one PBKDF2 run, not one each (the stall every 60 s that the overload sweep showed).
 */
final class SingleFlight<K, V> {

    private final Map<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    V run(K key, Supplier<V> computation) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            waiting.incrementAndGet();
            try {
                return await(theirs);
            } finally {
                waiting.decrementAndGet();
            }
        }
        try {
            V value = computation.get();
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    /** How many computations are running now. */
    int running() {
        return running.size();
    }

    /** How many callers wait for another's computation now. */
    int waiting() {
        return waiting.get();
    }

    private static <V> V await(CompletableFuture<V> flight) {
        try {
            return flight.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
