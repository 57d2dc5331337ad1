package com.apintake.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Prefer: respond-async, the intake queue in PostgreSQL and its workers. */
@ExtendWith(ArquillianExtension.class)
class IntakeAsyncIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void anAsyncUploadIsAcceptedAtOnceAndValidatedByAWorker() throws Exception {
        byte[] bytes = new IntakeIT.Sample().bytes();
        var accepted = postAsync(bytes, "application/xml");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Preference-Applied")).hasValue("respond-async");
        JsonObject invoice = accepted.json();
        long id = invoice.getJsonNumber("id").longValue();
        assertThat(accepted.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/invoices/" + id));
        assertThat(invoice.getString("workflowStatus")).isEqualTo("RECEIVED");

        JsonObject done = awaitProcessed(id, Duration.ofSeconds(60));
        // Unknown seller: held for a person, as the synchronous path would.
        assertThat(done.getString("workflowStatus")).isEqualTo("EXCEPTIONS_FOUND");
        assertThat(done.getJsonNumber("totalGross").bigDecimalValue()).isEqualByComparingTo("1795.63");
        JsonArray validations =
                Http.get(base, "/api/v1/invoices/" + id + "/validations").json();
        assertThat(validations.getValuesAs(JsonObject.class))
                .extracting(v -> v.getString("rule"))
                .contains("AP-VENDOR-MATCH", "AP-CONFIDENCE");
        assertThat(Http.get(base, "/api/v1/invoices/" + id + "/extraction").status())
                .isEqualTo(200);
        assertThat(jobs(id)).isZero();

        var again = postAsync(bytes, "application/xml");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.<JsonObject>json().getJsonNumber("id").longValue()).isEqualTo(id);

        assertThat(Http.get(base, "/metrics?scope=application").body())
                .contains("intake_queue_depth", "intake_queue_oldest_job_age_seconds");
    }

    @Test
    void junkIsRefusedAtOnceAndAnUnreadableFileIsKeptForManualEntry() throws Exception {
        long before = count();
        var junk = postAsync("just some text".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(junk.status()).isEqualTo(415);
        assertThat(count()).isEqualTo(before);

        byte[] broken = java.util.Arrays.copyOf(new IntakeIT.Sample().bytes(), 900);
        var accepted = postAsync(broken, "application/xml");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        long id = accepted.<JsonObject>json().getJsonNumber("id").longValue();
        JsonObject done = awaitProcessed(id, Duration.ofSeconds(60));
        assertThat(done.getString("status")).isEqualTo("NEEDS_MANUAL_ENTRY");
        JsonArray exceptions =
                Http.get(base, "/api/v1/invoices/" + id + "/exceptions").json();
        assertThat(exceptions.getValuesAs(JsonObject.class)).anySatisfy(e -> {
            assertThat(e.getString("type")).isEqualTo("NEEDS_MANUAL_ENTRY");
            assertThat(e.getString("detail")).contains("could not be read");
        });
    }

    /**
     * A worker took a job and died: its lease keeps the job from everyone until it expires, then a
     * live worker takes it (attempt 2) and the invoice is processed exactly once.
     */
    @Test
    void aJobWhoseWorkerDiedIsTakenAgainOnceItsLeaseExpiresAndProcessedOnce() throws Exception {
        byte[] bytes = new IntakeIT.Sample().bytes();
        long id;
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            try (var invoice = connection.prepareStatement("""
                    INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, uploaded_by)
                    VALUES (?, 'orphan.xml', 'application/xml', ?, 'it') RETURNING id""")) {
                invoice.setString(1, sha256(bytes));
                invoice.setLong(2, bytes.length);
                try (var rows = invoice.executeQuery()) {
                    rows.next();
                    id = rows.getLong(1);
                }
            }
            try (var document =
                    connection.prepareStatement("INSERT INTO invoice_documents (invoice_id, content) VALUES (?, ?)")) {
                document.setLong(1, id);
                document.setBytes(2, bytes);
                document.executeUpdate();
            }
            try (var job = connection.prepareStatement("""
                    INSERT INTO intake_jobs (invoice_id, attempts, leased_by, leased_until)
                    VALUES (?, 1, 'worker-that-died', now() + interval '5 seconds')""")) {
                job.setLong(1, id);
                job.executeUpdate();
            }
            connection.commit();
        }
        Thread.sleep(2500);
        assertThat(status(id)).as("a live lease is respected").isEqualTo("RECEIVED");
        assertThat(jobs(id)).isEqualTo(1);

        JsonObject done = awaitProcessed(id, Duration.ofSeconds(60));
        assertThat(done.getString("workflowStatus")).isEqualTo("EXCEPTIONS_FOUND");
        assertThat(jobs(id)).isZero();
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("""
                        SELECT (SELECT count(*) FROM invoice_extractions WHERE invoice_id = %d),
                               (SELECT count(*) FROM audit_log WHERE action = 'invoice.extract'
                                                               AND subject = 'invoice %d'),
                               (SELECT string_agg(detail, ';') FROM audit_log WHERE action = 'invoice.extract'
                                                               AND subject = 'invoice %d'),
                               (SELECT count(*) FROM validations WHERE invoice_id = %d AND rule_code = 'AP-CONFIDENCE')
                        """.formatted(id, id, id, id))) {
            rows.next();
            assertThat(rows.getLong(1)).as("one extraction").isEqualTo(1);
            assertThat(rows.getLong(2)).as("processed once").isEqualTo(1);
            assertThat(rows.getString(3)).startsWith("attempt 2");
            assertThat(rows.getLong(4)).as("one set of validations").isEqualTo(1);
        }
    }

    /**
     * The workers run side by side: with the queue full, more than one job is leased at once. On Payara's
     * default managed executors (core pool size 0, unbounded queue) the configured workers took turns on one
     * thread and this never exceeded 1 (docs/intake-workers.md).
     */
    @Test
    void theWorkersTakeJobsSideBySide() throws Exception {
        int files = 40;
        java.util.List<Long> ids = new java.util.ArrayList<>();
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            for (int i = 0; i < files; i++) {
                byte[] bytes = new IntakeIT.Sample().bytes();
                try (var invoice = connection.prepareStatement("""
                        INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, uploaded_by)
                        VALUES (?, 'side-by-side.xml', 'application/xml', ?, 'it') RETURNING id""")) {
                    invoice.setString(1, sha256(bytes));
                    invoice.setLong(2, bytes.length);
                    try (var rows = invoice.executeQuery()) {
                        rows.next();
                        ids.add(rows.getLong(1));
                    }
                }
                try (var document = connection.prepareStatement(
                        "INSERT INTO invoice_documents (invoice_id, content) VALUES (?, ?)")) {
                    document.setLong(1, ids.get(i));
                    document.setBytes(2, bytes);
                    document.executeUpdate();
                }
                try (var job = connection.prepareStatement("INSERT INTO intake_jobs (invoice_id) VALUES (?)")) {
                    job.setLong(1, ids.get(i));
                    job.executeUpdate();
                }
            }
            connection.commit();
        }
        String mine = "invoice_id IN ("
                + ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ")";
        long mostLeased = 0;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        try (Connection connection = TestEnvironment.connect()) {
            while (Instant.now().isBefore(deadline)) {
                try (var rows = connection
                        .createStatement()
                        .executeQuery(
                                "SELECT count(*) FILTER (WHERE leased_until > now()), count(*) FROM intake_jobs WHERE "
                                        + mine)) {
                    rows.next();
                    mostLeased = Math.max(mostLeased, rows.getLong(1));
                    if (rows.getLong(2) == 0) {
                        break;
                    }
                }
                Thread.sleep(2);
            }
        }
        for (long id : ids) {
            assertThat(jobs(id)).as("job of invoice %d drained", id).isZero();
        }
        assertThat(mostLeased)
                .as("jobs leased at the same moment while %d waited (workers side by side)", files)
                .isGreaterThan(1);
    }

    private Http.Answer postAsync(byte[] bytes, String contentType) {
        return Http.send(HttpRequest.newBuilder(Http.resolve(base, "/api/v1/invoices"))
                .header("Content-Type", contentType)
                .header("Prefer", "respond-async, wait=10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    private String status(long id) {
        return Http.get(base, "/api/v1/invoices/" + id).<JsonObject>json().getString("workflowStatus");
    }

    private JsonObject awaitProcessed(long id, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonObject invoice = Http.get(base, "/api/v1/invoices/" + id).json();
            if (!invoice.getString("workflowStatus").equals("RECEIVED")) {
                return invoice;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("invoice " + id + " still RECEIVED after " + timeout);
    }

    private static long jobs(long invoiceId) throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT count(*) FROM intake_jobs WHERE invoice_id = " + invoiceId)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long count() throws SQLException {
        try (Connection connection = TestEnvironment.connect();
                var rows = connection.createStatement().executeQuery("SELECT count(*) FROM invoices")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
