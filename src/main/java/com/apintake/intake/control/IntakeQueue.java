package com.apintake.intake.control;

import com.apintake.platform.control.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Optional;

/**
 * The intake queue in PostgreSQL (intake_jobs): stored files waiting to be extracted and validated.
 * A worker takes the oldest job without a live lease (FOR UPDATE SKIP LOCKED, so workers never wait
 * on each other) and leases it; the lease is its claim. A worker that dies leaves the lease to expire
 * and another takes the job (attempts + 1). The finishing transaction deletes the job only while the
 * attempt is still its own, so a late finish of a presumed-dead worker rolls back instead of
 * processing the invoice a second time.
 */
@ApplicationScoped
public class IntakeQueue {

    /** A taken job: the invoice, its stored file, and the attempt that is this worker's claim. */
    public record Job(
            long id,
            long invoiceId,
            int attempt,
            String fileHash,
            String filename,
            String contentType,
            byte[] content) {}

    /** Depth and age of the oldest job (seconds, 0 when empty). */
    public record Backlog(long depth, double oldestSeconds) {}

    static final String TAKE = """
            WITH taken AS (
                UPDATE intake_jobs SET attempts = attempts + 1, leased_by = ?,
                                       leased_until = now() + make_interval(secs => ?)
                WHERE id = (SELECT id FROM intake_jobs
                            WHERE (leased_until IS NULL OR leased_until < now()) AND attempts < ?
                            ORDER BY id
                            FOR UPDATE SKIP LOCKED
                            LIMIT 1)
                RETURNING id, invoice_id, attempts)
            SELECT t.id, t.invoice_id, t.attempts, i.file_hash, i.original_filename, i.content_type, d.content
            FROM taken t JOIN invoices i ON i.id = t.invoice_id JOIN invoice_documents d ON d.invoice_id = t.invoice_id""";

    @Inject
    Sql sql;

    /**
     * Takes the next job, leased to worker for leaseSeconds. A job that failed maxAttempts times stays
     * (with its last_error) for a person, and keeps the oldest-job age up so alerts notice.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Job> take(String worker, double leaseSeconds, int maxAttempts) {
        return sql.one(
                TAKE,
                row -> new Job(
                        row.longValue("id"),
                        row.longValue("invoice_id"),
                        row.intValue("attempts"),
                        row.string("file_hash"),
                        row.string("original_filename"),
                        row.string("content_type"),
                        row.bytes("content")),
                worker,
                leaseSeconds,
                maxAttempts);
    }

    /**
     * In the finishing transaction, first: removes the job if this attempt still holds it. False means
     * the lease expired and someone else took the job: the caller must roll back.
     */
    public boolean finish(Sql sql, Job job) {
        return sql.update("DELETE FROM intake_jobs WHERE id = ? AND attempts = ?", job.id(), job.attempt()) == 1;
    }

    /** Notes why an attempt failed; the job is taken again once its lease expires. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void failed(Job job, String error) {
        sql.update(
                "UPDATE intake_jobs SET last_error = ? WHERE id = ? AND attempts = ?",
                error == null ? null : error.substring(0, Math.min(error.length(), 1000)),
                job.id(),
                job.attempt());
    }

    /** Depth and age of the oldest job: the workers' gauges and the health components read the same. */
    static final String BACKLOG = """
            SELECT count(*) AS depth,
                   coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::float8 AS oldest
            FROM intake_jobs""";

    @Transactional
    public Backlog backlog() {
        return sql.one(
                        BACKLOG,
                        row -> new Backlog(
                                row.longValue("depth"), row.decimal("oldest").doubleValue()))
                .orElseThrow();
    }

    /**
     * The backlog on a plain pooled connection, for the health components: the monitoring loop runs in an
     * EJB timer without a transaction, where Sql's caller scope is refused; the pool's own user reads intake_jobs.
     */
    static Backlog backlog(javax.sql.DataSource dataSource) {
        try (var connection = dataSource.getConnection();
                var statement = connection.prepareStatement(BACKLOG);
                var rows = statement.executeQuery()) {
            rows.next();
            return new Backlog(rows.getLong("depth"), rows.getDouble("oldest"));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Reading the intake queue's backlog failed", e);
        }
    }
}
