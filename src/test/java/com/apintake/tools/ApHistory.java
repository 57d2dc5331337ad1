package com.apintake.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongConsumer;

/**
 * Fills the AP tables with a realistic history, set-based inside PostgreSQL (INSERT ... SELECT over
 * generate_series: no row crosses the network). Shape, over the two years before now:
 * <ul>
 *   <li>vendors: 2,000 + 1 per 1,000 invoices (at most 5,000), skewed: vendor rank r receives a share
 *       proportional to the density of random()^3, so the top 10 % of vendors send about half of all invoices;
 *   <li>invoices: 84 % EXPORTED, the rest spread over the open and terminal states;
 *   <li>one extraction each, overall confidence 0.55..1 leaning high (0.55 + 0.45 * sqrt(random()));
 *   <li>four validations each (BR-CO-10, BR-CO-15, BR-CO-16, AP-VENDOR-MATCH), 1.5 % failing;
 *   <li>exceptions on about 9 % of invoices, about 85 % of them resolved within minutes to three days;
 *   <li>a staged export for every STAGED and EXPORTED invoice: PENDING, EXPORTED, and 0.5 % FAILED.
 * </ul>
 * Invoices are generated in chunks (default 100,000) so progress shows and no transaction grows huge.
 * Document bytes are not generated (invoice_documents stays empty for generated rows).
 */
public final class ApHistory {

    private final Connection connection;
    private final int chunk;

    public ApHistory(Connection connection, int chunk) {
        this.connection = connection;
        this.chunk = chunk;
    }

    public static int vendorsFor(long invoices) {
        return (int) Math.min(5000, 2000 + invoices / 1000);
    }

    /**
     * Adds {@code invoices} invoices (and their vendors, extractions, ...), committing each chunk;
     * calls progress with the count so far.
     */
    public void generate(long invoices, LongConsumer progress) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try {
            run(invoices, true, progress);
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The same inside the caller's open transaction, which the caller commits or rolls back. */
    public void generateInTransaction(long invoices) throws SQLException {
        run(invoices, false, done -> {});
    }

    private void run(long invoices, boolean commitChunks, LongConsumer progress) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET synchronous_commit = off");
            int created = createVendors(statement, invoices);
            createPartitions(statement);
            String seed = Long.toHexString(System.nanoTime());
            long chunks = (invoices + chunk - 1) / chunk;
            for (long done = 0; done < invoices; ) {
                long size = Math.min(chunk, invoices - done);
                if (commitChunks) {
                    connection.setAutoCommit(false);
                }
                statement.execute(chunkSql(seed + "-" + done, size, created, done / chunk, chunks));
                if (commitChunks) {
                    connection.commit();
                    connection.setAutoCommit(true);
                }
                done += size;
                progress.accept(done);
            }
            statement.execute(
                    "ANALYZE vendors, invoices, invoice_extractions, validations, exceptions, staged_exports");
        }
    }

    /** Opens one more connection to the same database, for another loading session. */
    @FunctionalInterface
    public interface Sessions {
        Connection open() throws SQLException;
    }

    /**
     * The same history as {@link #generate}, chunk for chunk, loaded by {@code sessions} connections at
     * once (each takes the next chunk in time order and commits it); session prepares each new
     * connection (for example the bulk load's settings). Does not ANALYZE: the caller vacuums at the end.
     */
    public void generateInParallel(
            long invoices, int sessions, Sessions opener, SessionSetup setup, LongConsumer progress)
            throws SQLException, InterruptedException {
        connection.setAutoCommit(true);
        Long[] vendorIds;
        try (Statement statement = connection.createStatement()) {
            createVendors(statement, invoices);
            createPartitions(statement);
            try (var rows = statement.executeQuery("SELECT array_agg(id ORDER BY rank) FROM generated_vendors")) {
                rows.next();
                vendorIds = (Long[]) rows.getArray(1).getArray();
            }
        }
        String seed = Long.toHexString(System.nanoTime());
        long chunks = (invoices + chunk - 1) / chunk;
        var next = new java.util.concurrent.atomic.AtomicLong();
        var done = new java.util.concurrent.atomic.AtomicLong();
        var failure = new java.util.concurrent.atomic.AtomicReference<SQLException>();
        var workers = new java.util.ArrayList<Thread>();
        for (int s = 0; s < sessions; s++) {
            Thread worker = new Thread(
                    () -> {
                        try (Connection session = opener.open();
                                Statement statement = session.createStatement()) {
                            session.setAutoCommit(true);
                            statement.execute("SET synchronous_commit = off");
                            setup.prepare(statement);
                            statement.execute(
                                    "CREATE TEMP TABLE generated_vendors (rank int PRIMARY KEY, id bigint NOT NULL)");
                            try (var insert = session.prepareStatement(
                                    "INSERT INTO generated_vendors SELECT o - 1, id FROM unnest(?::bigint[]) WITH ORDINALITY u(id, o)")) {
                                insert.setArray(1, session.createArrayOf("bigint", vendorIds));
                                insert.executeUpdate();
                            }
                            for (long part = next.getAndIncrement();
                                    part < chunks && failure.get() == null;
                                    part = next.getAndIncrement()) {
                                long from = part * chunk;
                                long size = Math.min(chunk, invoices - from);
                                session.setAutoCommit(false);
                                statement.execute(chunkSql(seed + "-" + from, size, vendorIds.length, part, chunks));
                                session.commit();
                                session.setAutoCommit(true);
                                progress.accept(done.addAndGet(size));
                            }
                        } catch (SQLException e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "generator-" + s);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** What each loading session sets before its first chunk. */
    @FunctionalInterface
    public interface SessionSetup {
        void prepare(Statement statement) throws SQLException;
    }

    private static int createVendors(Statement statement, long invoices) throws SQLException {
        int vendors = vendorsFor(invoices);
        statement.execute("""
                CREATE TEMP TABLE IF NOT EXISTS generated_vendors (rank int PRIMARY KEY, id bigint NOT NULL);
                TRUNCATE generated_vendors;
                WITH created AS (
                    INSERT INTO vendors (name, vat_id, iban)
                    SELECT 'Vendor ' || g || ' ' || substr(md5(random()::text), 1, 6),
                           'DE' || lpad((floor(random() * 900000000) + 100000000)::bigint::text, 9, '0') || g,
                           'DE' || lpad(g::text, 2, '0') || lpad((floor(random() * 1e15))::bigint::text, 18, '0')
                    FROM generate_series(1, %d) g
                    ON CONFLICT DO NOTHING
                    RETURNING id)
                INSERT INTO generated_vendors SELECT row_number() OVER (ORDER BY id) - 1, id FROM created;
                """.formatted(vendors));
        try (var rows = statement.executeQuery("SELECT count(*) FROM generated_vendors")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /**
     * The month partitions of the history's two years (Liquibase 160), so rows do not pile up in the
     * DEFAULT partitions; a month whose rows already sit in a DEFAULT partition stays there.
     */
    static void createPartitions(Statement statement) throws SQLException {
        statement.execute("""
                DO $$
                DECLARE t text;
                BEGIN
                    IF to_regproc('create_month_partitions') IS NOT NULL THEN
                        FOREACH t IN ARRAY ARRAY['invoice_extractions', 'validations'] LOOP
                            BEGIN
                                PERFORM create_month_partitions(t::regclass, now() - interval '731 days', now());
                            EXCEPTION WHEN check_violation THEN
                                RAISE NOTICE 'partitions of %: %', t, SQLERRM;
                            END;
                        END LOOP;
                    END IF;
                END
                $$""");
    }

    /**
     * Chunk number part of parts: its invoices fall in that slice of the two years, oldest chunk first,
     * and are inserted in time order. So every index that leads with a timestamp (and every month
     * partition) is filled at its end, the pages written stay in shared buffers, and a checkpoint finds
     * few pages to write in full to the WAL again: a load in random time order touched every leaf of
     * those indexes in every chunk, which made it slower and slower as they outgrew memory. Ids rise
     * with time, as they do in a real history.
     */
    private static String chunkSql(String seed, long size, int vendors, long part, long parts) {
        return """
                DROP TABLE IF EXISTS generated_invoices, generated_rows;
                CREATE TEMP TABLE generated_invoices AS
                SELECT s.g, v.id AS vendor_id, s.created_at, s.r
                FROM (SELECT g, floor(%3$d * power(random(), 3))::int AS rank,
                             now() - interval '730 days' + (%4$d + random()) / %5$d * interval '730 days' AS created_at,
                             random() AS r
                      FROM generate_series(1, %2$d) g) s
                JOIN generated_vendors v ON v.rank = s.rank
                ORDER BY s.created_at;

                CREATE TEMP TABLE generated_rows AS
                WITH inserted AS (
                    INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, vendor_id, invoice_number,
                                          type_code, issue_date, due_date, currency, total_net, total_vat, total_gross,
                                          amount_due, status, workflow_status, created_at, updated_at)
                    SELECT md5('%1$s' || g) || md5('%1$s/' || g), 'INV-' || g || '.xml', 'application/xml',
                           3000 + (random() * 9000)::int, vendor_id, 'INV-%1$s-' || g, '380',
                           created_at::date, created_at::date + 30, 'EUR', net, round(net * 0.19, 2),
                           net + round(net * 0.19, 2), net + round(net * 0.19, 2), 'PROCESSED',
                           CASE WHEN r < 0.84 THEN 'EXPORTED' WHEN r < 0.88 THEN 'PENDING_APPROVAL'
                                WHEN r < 0.895 THEN 'EXCEPTIONS_FOUND' WHEN r < 0.935 THEN 'STAGED'
                                WHEN r < 0.955 THEN 'APPROVED' WHEN r < 0.98 THEN 'REJECTED'
                                WHEN r < 0.985 THEN 'SUSPECTED_DUPLICATE' ELSE 'CONFIRMED_DUPLICATE' END,
                           created_at, created_at + interval '2 hours'
                    FROM (SELECT *, round((20 + random() * 4980)::numeric, 2) AS net FROM generated_invoices) s
                    ORDER BY s.created_at
                    RETURNING id, workflow_status, created_at)
                SELECT * FROM inserted;

                INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json, created_at)
                SELECT id, 'UBL', '{}'::jsonb,
                       jsonb_build_object('overall', round((0.55 + 0.45 * sqrt(random()))::numeric, 3)),
                       created_at + interval '1 second'
                FROM generated_rows
                ORDER BY generated_rows.created_at;

                INSERT INTO validations (invoice_id, rule_code, passed, detail, created_at)
                SELECT id, rule, random() > 0.015, NULL, created_at + interval '2 seconds'
                FROM generated_rows CROSS JOIN unnest(ARRAY['BR-CO-10', 'BR-CO-15', 'BR-CO-16', 'AP-VENDOR-MATCH']) rule
                ORDER BY generated_rows.created_at;

                INSERT INTO exceptions (invoice_id, type, detail, resolved, resolved_by, resolution, created_at, resolved_at)
                SELECT id, (ARRAY['UNKNOWN_VENDOR', 'BANK_ACCOUNT_CHANGE', 'LOW_CONFIDENCE', 'VALIDATION_FAILED',
                                  'SUSPECTED_DUPLICATE'])[1 + floor(random() * 5)::int],
                       'generated', resolved, CASE WHEN resolved THEN 'clerk' END, CASE WHEN resolved THEN 'checked' END,
                       created_at + interval '3 seconds',
                       CASE WHEN resolved THEN created_at + random() * interval '72 hours' + interval '5 minutes' END
                FROM (SELECT id, created_at,
                             workflow_status NOT IN ('EXCEPTIONS_FOUND', 'SUSPECTED_DUPLICATE') OR random() < 0.3 AS resolved
                      FROM generated_rows
                      WHERE workflow_status IN ('EXCEPTIONS_FOUND', 'SUSPECTED_DUPLICATE', 'CONFIRMED_DUPLICATE')
                         OR random() < 0.06) e;

                INSERT INTO staged_exports (invoice_id, batch, status, created_at, exported_at)
                SELECT id,
                       CASE WHEN workflow_status = 'EXPORTED' THEN 'AP-' || to_char(created_at, 'YYYYMMDD') END,
                       CASE WHEN workflow_status = 'STAGED' THEN (CASE WHEN random() < 0.1 THEN 'FAILED' ELSE 'PENDING' END)
                            ELSE 'EXPORTED' END,
                       created_at + interval '1 hour',
                       CASE WHEN workflow_status = 'EXPORTED' THEN created_at + interval '1 day' END
                FROM generated_rows
                WHERE workflow_status IN ('STAGED', 'EXPORTED');
                """.formatted(seed, size, vendors, part, parts);
    }
}
