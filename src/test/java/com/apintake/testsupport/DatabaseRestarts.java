package com.apintake.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients that call in a loop while PostgreSQL is stopped in immediate mode and started again: the
 * outcome of every call, and when the database was back after each restart. The clients start 3 s
 * before the first stop and end after the last restart's up time; the database is running again when
 * this returns, whatever happened.
 */
public final class DatabaseRestarts {

    private DatabaseRestarts() {}

    public record Run<T>(List<T> outcomes, List<Instant> backAt) {}

    /** clients threads call call() until the restarts are done; each restart: stop, down, start, up. */
    public static <T> Run<T> whileClientsCall(
            PostgresServer postgres, int clients, int restarts, Duration down, Duration up, Callable<T> call)
            throws Exception {
        var outcomes = new ConcurrentLinkedQueue<T>();
        var running = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Instant> backAt = new ArrayList<>();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(threads.submit(() -> {
                    while (running.get()) {
                        outcomes.add(call.call());
                    }
                    return null;
                }));
            }
            Thread.sleep(3000);
            for (int restart = 0; restart < restarts; restart++) {
                postgres.stopImmediately();
                Thread.sleep(down.toMillis());
                postgres.start();
                backAt.add(Instant.now());
                Thread.sleep(up.toMillis());
            }
            running.set(false);
            for (var worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        } finally {
            running.set(false);
            threads.shutdownNow();
            if (!postgres.isRunning()) {
                postgres.start();
            }
        }
        return new Run<>(new ArrayList<>(outcomes), backAt);
    }
}
