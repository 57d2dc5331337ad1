package com.apintake.intake.control;

import com.apintake.intake.entity.InvoiceView;
import com.apintake.platform.control.DatabaseUnavailableException;
import com.apintake.platform.control.Unavailability;
import com.apintake.security.control.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Group commit of asynchronous uploads: acknowledgements that arrive together are stored together, in
 * one transaction with one commit (one WAL flush) for up to {@code apintake.intake.group-commit.max-batch}
 * files, instead of one transaction each.
 *
 * <p>Each upload joins the waiting line of its caller (user and roles: the transaction is scoped to one
 * caller, so row-level security and the audit actor stay exactly what a single upload would have) and
 * tries for the line's writer lock. Whoever gets it writes what is waiting (up to the batch limit, in
 * its own request thread and transaction) until its own file is written, completing every upload of
 * each batch at once, then wakes the oldest upload still waiting to become the next writer. The others
 * sleep until their batch is committed. Nobody waits for a batch to fill: a batch is what arrived while
 * the previous one was being written, so a lone upload is written at once.
 *
 * <p>Guarantees, as for a single upload: nothing is acknowledged before its commit; equal files in one
 * batch are stored once (the first) and the others answered as known files; a database outage fails
 * the batch's uploads with {@link DatabaseUnavailableException} (503, nothing acknowledged); any other
 * failure of a batch writes each of its uploads again alone, so one bad upload fails only itself.
 */
@ApplicationScoped
public class GroupCommit {

    /** What happened to one upload: stored (view), known file (view null, failure null), or failed. */
    record Outcome(InvoiceView view, RuntimeException failure, boolean alone) {
        static final Outcome KNOWN = new Outcome(null, null, false);
        static final Outcome ALONE = new Outcome(null, null, true);
    }

    static final class Pending {
        final InvoiceStore.Received file;
        private volatile Outcome outcome;
        private final Semaphore signal = new Semaphore(0);

        Pending(InvoiceStore.Received file) {
            this.file = file;
        }

        void complete(Outcome outcome) {
            this.outcome = outcome;
            signal.release();
        }

        /** Asks a waiting upload to try for the writer lock (its file is not written yet). */
        void wake() {
            signal.release();
        }

        void await() {
            signal.acquireUninterruptibly();
        }
    }

    private static final class Line {
        final ReentrantLock writer = new ReentrantLock();
        final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    }

    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    @Inject
    Registration registration;

    @Inject
    Caller caller;

    @Inject
    @ConfigProperty(name = "apintake.intake.group-commit.max-batch", defaultValue = "32")
    int maxBatch;

    /**
     * Stores the file for the queue, committed when this returns. The stored invoice as RECEIVED, or null
     * when the same file was stored before (by anyone, or by an equal file earlier in the same batch).
     */
    public InvoiceView accept(String fileHash, String filename, String contentType, byte[] content) {
        if (maxBatch <= 1) {
            return registration.accept(fileHash, filename, contentType, content);
        }
        Pending mine = new Pending(new InvoiceStore.Received(fileHash, filename, contentType, content));
        Line line = lines.computeIfAbsent(caller.name() + "\n" + String.join(",", caller.roles()), k -> new Line());
        line.waiting.add(mine);
        while (mine.outcome == null) {
            if (line.writer.tryLock()) {
                try {
                    while (mine.outcome == null) {
                        write(drain(line.waiting, maxBatch));
                    }
                } finally {
                    line.writer.unlock();
                }
                // Whoever arrived while this batch was written waits for a writer: the oldest becomes it.
                // (One that arrives after this look finds the lock free itself.)
                Pending next = line.waiting.peek();
                if (next != null) {
                    next.wake();
                }
            } else {
                mine.await();
            }
        }
        Outcome outcome = mine.outcome;
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        if (outcome.alone()) {
            return registration.accept(fileHash, filename, contentType, content);
        }
        return outcome.view();
    }

    private static List<Pending> drain(Queue<Pending> waiting, int max) {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < max && (next = waiting.poll()) != null) {
            batch.add(next);
        }
        return batch;
    }

    /** Writes one batch and gives every upload in it its outcome, whatever happens. */
    private void write(List<Pending> batch) {
        Map<String, Pending> first = firstOfEachFile(batch);
        try {
            Map<String, InvoiceView> stored = registration.acceptAll(
                    first.values().stream().map(p -> p.file).toList());
            for (Pending pending : batch) {
                InvoiceView view =
                        first.get(pending.file.fileHash()) == pending ? stored.get(pending.file.fileHash()) : null;
                pending.complete(view == null ? Outcome.KNOWN : new Outcome(view, null, false));
            }
        } catch (RuntimeException e) {
            for (Pending pending : batch) {
                pending.complete(failed(e, batch.size()));
            }
        } catch (Error e) {
            for (Pending pending : batch) {
                pending.complete(Outcome.ALONE);
            }
            throw e;
        }
    }

    /**
     * The outcome of a batch that failed: an outage fails every upload with a 503 of its own (nothing of
     * the batch was committed); a lone upload gets its own failure; otherwise each upload is written
     * again alone, so that a bad one cannot fail its neighbours.
     */
    static Outcome failed(RuntimeException e, int batchSize) {
        if (Unavailability.isOutage(e)) {
            return new Outcome(null, new DatabaseUnavailableException("Database unavailable", e), false);
        }
        if (batchSize == 1) {
            return new Outcome(null, e, false);
        }
        return Outcome.ALONE;
    }

    /** The first upload of each distinct file, in arrival order: the one a batch stores. */
    static Map<String, Pending> firstOfEachFile(List<Pending> batch) {
        Map<String, Pending> first = new LinkedHashMap<>();
        for (Pending pending : batch) {
            first.putIfAbsent(pending.file.fileHash(), pending);
        }
        return first;
    }
}
