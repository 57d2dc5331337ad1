package com.apintake.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Folders;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, section 3, last bullet: Payara killed with SIGKILL in the middle of inbox and queue work.
 * The test owns a Payara Micro process on its own database (ap_intake_crash) and inbox folder, keeps
 * dropping invoice files into the inbox and sending asynchronous uploads, kills the process while
 * queued jobs are still waiting (some invoices done, some not) and files keep arriving, starts it again on the same database and inbox,
 * and proves that every inbox file became exactly one invoice and every acknowledged (202) upload was
 * processed exactly once: one extraction, one set of validations and exceptions, one worker audit
 * entry per invoice, nothing left in the queue or the inbox.
 */
class IntakeCrashIT {

    private static final Logger LOG = Logger.getLogger(IntakeCrashIT.class.getName());

    static final String DATABASE = "ap_intake_crash";
    static final int MIN_INBOX_FILES = 20;
    // Without it, two of four runs killed Payara before any upload was answered (the first requests
    // were still warming up) and the acknowledged-upload checks held for no upload at all.
    static final int MIN_ACKNOWLEDGED = 5;
    static final int UPLOAD_CLIENTS = 3;
    static final String ADMIN_PASSWORD =
            java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));

    static Path work;
    static Path inbox;
    static Process payara;
    static URL base;

    @BeforeAll
    static void prepare() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.dropDatabaseIfExists(DATABASE);
        postgres.createDatabaseIfMissing(DATABASE);
        work = Path.of(System.getProperty("apintake.basedir")).resolve("target/it/crash");
        Folders.deleteRecursively(work);
        inbox = Files.createDirectories(work.resolve("inbox"));
    }

    @AfterAll
    static void stop() throws SQLException {
        PayaraMicroLaunch.stop(payara);
        TestEnvironment.postgres().dropDatabaseIfExists(DATABASE);
    }

    @Test
    void killedInTheMiddleOfInboxAndQueueWorkNothingIsLostOrDoneTwice() throws Exception {
        start("first");
        byte[] template = IntakeIT.resource("ubl-invoice.xml");
        String run = Long.toString(System.currentTimeMillis(), 36);

        // Uploads from a few clients until the kill; only the 202s are acknowledged.
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        LongAdder unanswered = new LongAdder();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(UPLOAD_CLIENTS + 1);
        for (int c = 0; c < UPLOAD_CLIENTS; c++) {
            clients.submit(() -> {
                while (sending.get()) {
                    String number = "CRASH-" + run + "-U" + sequence.incrementAndGet();
                    try {
                        var answer = Http.as(TestEnvironment.ADMIN_USER, ADMIN_PASSWORD)
                                .send(HttpRequest.newBuilder(Http.resolve(base, "/api/v1/invoices?filename=" + number))
                                        .header("Content-Type", "application/xml")
                                        .header("Prefer", "respond-async")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(invoice(template, number))));
                        if (answer.status() == 202) {
                            acknowledged.put(
                                    answer.<JsonObject>json()
                                            .getJsonNumber("id")
                                            .longValue(),
                                    number);
                        } else {
                            unanswered.increment();
                        }
                    } catch (RuntimeException noAnswer) {
                        // the server died under this request: not acknowledged, may or may not be stored
                        unanswered.increment();
                    }
                }
            });
        }
        // Inbox files, one every 50 ms until the kill, each written elsewhere and moved in, so the scanner
        // never sees half a file.
        List<String> inboxNames = java.util.Collections.synchronizedList(new ArrayList<>());
        Path staging = Files.createDirectories(work.resolve("staging"));
        clients.submit(() -> {
            for (int i = 1; sending.get(); i++) {
                String name = "CRASH-" + run + "-F" + i + ".xml";
                try {
                    Files.write(staging.resolve(name), invoice(template, name.replace(".xml", "")));
                    Files.move(staging.resolve(name), inbox.resolve(name));
                    inboxNames.add(name);
                    Thread.sleep(50);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        // Kill when the workers have finished some invoices while others still wait in the queue.
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        long done = 0;
        long queued = 0;
        while (Instant.now().isBefore(deadline)) {
            done = count("SELECT count(*) FROM invoices WHERE workflow_status <> 'RECEIVED'");
            queued = count("SELECT count(*) FROM intake_jobs");
            if (done >= 5
                    && queued >= 5
                    && inboxNames.size() >= MIN_INBOX_FILES
                    && acknowledged.size() >= MIN_ACKNOWLEDGED) {
                break;
            }
            Thread.sleep(50);
        }
        payara.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        sending.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(90, TimeUnit.SECONDS)).isTrue();
        long leftInInbox = inboxFiles().size();
        LOG.info("Killed Payara with " + done + " invoices done, " + queued + " jobs queued, " + leftInInbox
                + " files still in the inbox, " + acknowledged.size() + " uploads acknowledged, " + unanswered.sum()
                + " not");
        assertThat(done).as("invoices finished before the kill").isGreaterThanOrEqualTo(5);
        assertThat(queued).as("jobs still queued at the kill").isGreaterThanOrEqualTo(5);
        assertThat(inboxNames).as("files dropped into the inbox").hasSizeGreaterThanOrEqualTo(MIN_INBOX_FILES);
        assertThat(acknowledged)
                .as("uploads acknowledged before the kill")
                .hasSizeGreaterThanOrEqualTo(MIN_ACKNOWLEDGED);

        start("second");
        Instant settled = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(settled)
                && (count("SELECT count(*) FROM intake_jobs") > 0
                        || !inboxFiles().isEmpty()
                        || count("SELECT count(*) FROM invoices WHERE workflow_status = 'RECEIVED'") > 0)) {
            Thread.sleep(500);
        }

        assertThat(inboxFiles()).as("files left in the inbox").isEmpty();
        try (Stream<Path> failed = Files.list(inbox.resolve("failed"))) {
            assertThat(failed.toList()).as("files moved to failed/").isEmpty();
        }
        List<String> archived;
        try (Stream<Path> listing = Files.list(inbox.resolve("archive"))) {
            archived = listing.map(p -> p.getFileName().toString()).toList();
        }
        for (String name : inboxNames) {
            assertThat(archived.stream().filter(a -> a.endsWith("-" + name)))
                    .as("archived copies of %s", name)
                    .hasSize(1);
            assertThat(count("SELECT count(*) FROM invoices WHERE original_filename = ?", name))
                    .as("invoices of inbox file %s (%s)", name, archiveEvidence(archived, name))
                    .isEqualTo(1);
        }
        for (var upload : acknowledged.entrySet()) {
            assertThat(count(
                            "SELECT count(*) FROM invoices WHERE id = ? AND original_filename = ?",
                            upload.getKey(),
                            upload.getValue()))
                    .as("acknowledged upload %s", upload.getValue())
                    .isEqualTo(1);
        }
        assertThat(count("SELECT count(*) FROM intake_jobs")).as("jobs left").isZero();
        assertThat(count("SELECT count(*) FROM invoices WHERE workflow_status = 'RECEIVED'"))
                .as("invoices never processed")
                .isZero();
        long invoices = count("SELECT count(*) FROM invoices");
        assertThat(invoices).isGreaterThanOrEqualTo(inboxNames.size() + acknowledged.size());
        // Exactly once, for every invoice (the unacknowledged uploads that were stored included): one
        // extraction, one worker audit entry, and the same validations and exceptions as every other
        // invoice of the same template (a second processing would double them).
        assertThat(count("""
                        SELECT count(*) FROM invoices i
                        WHERE (SELECT count(*) FROM invoice_extractions e WHERE e.invoice_id = i.id) <> 1""")).as("invoices without exactly one extraction").isZero();
        assertThat(count("""
                        SELECT count(*) FROM invoices i
                        WHERE (SELECT count(*) FROM audit_log a
                               WHERE a.action = 'invoice.extract' AND a.subject = 'invoice ' || i.id) <> 1"""))
                .as("invoices without exactly one worker audit entry")
                .isZero();
        assertThat(count("""
                        SELECT count(DISTINCT n) FROM (
                            SELECT (SELECT count(*) FROM validations v WHERE v.invoice_id = i.id) AS n
                            FROM invoices i) per_invoice""")).as("different validation counts per invoice").isEqualTo(1);
        assertThat(count("SELECT min(n) FROM (SELECT count(*) AS n FROM validations GROUP BY invoice_id) v"))
                .as("validations per invoice")
                .isPositive();
        assertThat(count("""
                        SELECT count(DISTINCT n) FROM (
                            SELECT (SELECT count(*) FROM exceptions x WHERE x.invoice_id = i.id) AS n
                            FROM invoices i) per_invoice""")).as("different exception counts per invoice").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM invoices WHERE status = 'NEEDS_MANUAL_ENTRY'"))
                .as("invoices the workers could not read")
                .isZero();

        commitFailsAfterTheFileWasRead(template, run);
    }

    /**
     * The window a SIGKILL hits only by chance, made certain: the inbox file's transaction fails at its
     * commit (a deferred constraint trigger refuses it, as a kill or an outage between the last statement
     * and the commit would lose it). The file must still be in the inbox, not archived without its invoice,
     * and be taken once the commit goes through.
     */
    private void commitFailsAfterTheFileWasRead(byte[] template, String run) throws Exception {
        String name = "CRASH-" + run + "-COMMIT.xml";
        try (Connection connection = TestEnvironment.postgres().connect(DATABASE);
                var ddl = connection.createStatement()) {
            ddl.execute("CREATE SEQUENCE public.crash_commit_attempts");
            ddl.execute("GRANT USAGE, UPDATE ON SEQUENCE public.crash_commit_attempts TO PUBLIC");
            ddl.execute("""
                    CREATE FUNCTION public.crash_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.original_filename LIKE '%-COMMIT.xml' THEN
                            PERFORM nextval('public.crash_commit_attempts');
                            RAISE EXCEPTION 'commit refused by IntakeCrashIT';
                        END IF;
                        RETURN NULL;
                    END $$""");
            ddl.execute("""
                    CREATE CONSTRAINT TRIGGER crash_refuse_commit AFTER INSERT ON public.invoices
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.crash_refuse_commit()""");
        }
        Path staging = work.resolve("staging");
        Files.write(staging.resolve(name), invoice(template, name.replace(".xml", "")));
        Files.move(staging.resolve(name), inbox.resolve(name));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline) && commitAttempts() < 2 && Files.exists(inbox.resolve(name))) {
            Thread.sleep(200);
        }
        assertThat(Files.exists(inbox.resolve(name)))
                .as(
                        "%s still in the inbox after %d refused commits (archive: %s)",
                        name, commitAttempts(), archivedCopies(name))
                .isTrue();
        assertThat(commitAttempts()).as("refused commits of %s", name).isGreaterThanOrEqualTo(2);
        assertThat(archivedCopies(name))
                .as("archived copies of %s whose commit failed", name)
                .isEmpty();
        assertThat(count("SELECT count(*) FROM invoices WHERE original_filename = ?", name))
                .isZero();

        try (Connection connection = TestEnvironment.postgres().connect(DATABASE);
                var ddl = connection.createStatement()) {
            ddl.execute("DROP TRIGGER crash_refuse_commit ON public.invoices");
        }
        deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline) && Files.exists(inbox.resolve(name))) {
            Thread.sleep(200);
        }
        assertThat(archivedCopies(name))
                .as("archived copies of %s once its commit went through", name)
                .hasSize(1);
        assertThat(count("SELECT count(*) FROM invoices WHERE original_filename = ?", name))
                .as(
                        "invoices of %s once its commit went through (%s)",
                        name, archiveEvidence(archivedCopies(name), name))
                .isEqualTo(1);
    }

    private static long commitAttempts() throws SQLException {
        return count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.crash_commit_attempts");
    }

    private static List<String> archivedCopies(String name) throws java.io.IOException {
        try (Stream<Path> listing = Files.list(inbox.resolve("archive"))) {
            return listing.map(p -> p.getFileName().toString())
                    .filter(a -> a.endsWith("-" + name))
                    .toList();
        }
    }

    /**
     * For a failure message: each archived copy of an inbox file with the invoice its name points at
     * (archive/&lt;invoiceId&gt;-&lt;name&gt;): that invoice's original_filename, file_hash and status, and
     * the copy's own hash, and any invoice stored with the copy's hash.
     */
    private static String archiveEvidence(List<String> archived, String name) {
        List<String> evidence = new ArrayList<>();
        for (String copy : archived) {
            if (!copy.endsWith("-" + name)) {
                continue;
            }
            String prefix = copy.substring(0, copy.length() - name.length() - 1);
            StringBuilder line = new StringBuilder("archive/" + copy);
            try {
                String hash = com.apintake.intake.control.FileFingerprint.of(
                        Files.readAllBytes(inbox.resolve("archive").resolve(copy)));
                line.append(" sha256 ").append(hash);
                if (prefix.matches("\\d+")) {
                    line.append("; invoice ")
                            .append(prefix)
                            .append(": ")
                            .append(row(
                                    "SELECT original_filename, file_hash, workflow_status FROM invoices WHERE id = ?",
                                    Long.parseLong(prefix)));
                }
                line.append("; invoice with that hash: ")
                        .append(row(
                                "SELECT id, original_filename, workflow_status FROM invoices WHERE file_hash = ?",
                                hash));
            } catch (java.io.IOException | SQLException e) {
                line.append(" (").append(e).append(')');
            }
            evidence.add(line.toString());
        }
        return evidence.isEmpty() ? "no archived copy" : String.join(" | ", evidence);
    }

    private static String row(String sql, Object parameter) throws SQLException {
        try (Connection connection = TestEnvironment.postgres().connect(DATABASE);
                var statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return "none";
                }
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                    values.add(rows.getMetaData().getColumnName(i) + "=" + rows.getString(i));
                }
                return String.join(", ", values);
            }
        }
    }

    private static byte[] invoice(byte[] template, String number) {
        return new String(template, StandardCharsets.UTF_8)
                .replace(IntakeIT.SAMPLE_NUMBER, number)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> inboxFiles() throws java.io.IOException {
        try (Stream<Path> listing = Files.list(inbox)) {
            return listing.filter(Files::isRegularFile).toList();
        }
    }

    /** A Payara Micro process of this test's own: same database and inbox each time, a fresh root dir. */
    private static void start(String name) throws Exception {
        var postgres = TestEnvironment.postgres();
        PayaraMicroLaunch launch = new PayaraMicroLaunch(
                Path.of(System.getProperty("apintake.basedir")),
                Path.of(System.getProperty("apintake.runtime")),
                work.resolve(name),
                "test",
                PayaraMicroLaunch.freePort());
        Map<String, String> settings = new HashMap<>(Map.of(
                "apintake.inbox.dir", inbox.toString(),
                "apintake.inbox.interval-seconds", "1",
                "apintake.inbox.settle-seconds", "0",
                // A killed worker's job is taken again after its lease: short, so the test does not wait long.
                "apintake.intake.lease-seconds", "5",
                "apintake.intake.workers", "2",
                "apintake.export.interval-seconds", "0",
                "ADMIN_USER", TestEnvironment.ADMIN_USER,
                "ADMIN_PASSWORD", ADMIN_PASSWORD));
        settings.putAll(Map.of(
                "apintake.backup.dir", work.resolve("backups").toString(),
                "apintake.backup.schedule", "off",
                "apintake.backup.base.schedule", "off",
                "apintake.backup.drill.schedule", "off",
                "apintake.backup.wal-guard.seconds", "0",
                "apintake.maintenance.weekly", "off",
                "apintake.maintenance.daily", "off"));
        List<String> command = launch.command(
                Path.of(System.getProperty("apintake.war")),
                settings,
                Map.of(
                        "DB_PORT",
                        Integer.toString(postgres.port()),
                        "DB_NAME",
                        DATABASE,
                        // The first migration of a fresh schema on a loaded machine can outlast the test
                        // pool's 30 s leak timeout (see ClusterIT).
                        "DATABASE_POOL_LEAK_TIMEOUT",
                        "600",
                        "DATABASE_STATEMENT_LEAK_TIMEOUT",
                        "600"));
        Path log = work.resolve(name + ".log");
        payara = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        base = new URL("http://127.0.0.1:" + launch.httpPort() + "/");
        assertThat(launch.awaitReady(payara, Duration.ofMinutes(5)))
                .as("Payara (%s) ready; see %s", name, log)
                .isTrue();
    }

    private static long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = TestEnvironment.postgres().connect(DATABASE);
                var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
