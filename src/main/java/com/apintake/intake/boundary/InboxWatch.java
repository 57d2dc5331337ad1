package com.apintake.intake.boundary;

import com.apintake.extraction.control.MalformedDocumentException;
import com.apintake.extraction.control.UnsupportedDocumentException;
import com.apintake.intake.control.Intake;
import com.apintake.platform.control.JobClaims;
import com.apintake.security.control.Caller;
import com.apintake.security.entity.Roles;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJBException;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Picks invoice files up from the inbox folder, as the REST upload would take them, and moves each
 * to archive/ once stored, or to failed/ with a &lt;name&gt;.reason.txt when it cannot be taken. A file
 * is moved only after its invoice is committed (after {@link #take} returned, outside its
 * transaction; docs/intake-crash.md): after a crash in between, the next scan finds it
 * again, the intake recognises its hash, and it is archived without a second invoice. Files still
 * being written (modified in the last apintake.inbox.settle-seconds) and hidden files wait.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class InboxWatch {

    private static final Logger LOG = Logger.getLogger(InboxWatch.class.getName());
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);

    @Resource
    TimerService timers;

    @Resource
    SessionContext context;

    @Inject
    Intake intake;

    @Inject
    Caller caller;

    @Inject
    JobClaims claims;

    @Inject
    @ConfigProperty(name = "apintake.inbox.dir", defaultValue = "${user.home}/ap-intake/inbox")
    String inboxDir;

    @Inject
    @ConfigProperty(name = "apintake.inbox.interval-seconds", defaultValue = "10")
    long intervalSeconds;

    @Inject
    @ConfigProperty(name = "apintake.inbox.settle-seconds", defaultValue = "2")
    long settleSeconds;

    @Inject
    @ConfigProperty(name = "apintake.intake.max-bytes", defaultValue = "10485760")
    long maxBytes;

    @PostConstruct
    void schedule() {
        if (intervalSeconds > 0) {
            timers.createIntervalTimer(intervalSeconds * 1000, intervalSeconds * 1000, new TimerConfig("inbox", false));
        }
    }

    @Timeout
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void scheduled(Timer timer) {
        claims.once("inbox", "every " + intervalSeconds + " s", timer, Duration.ofSeconds(intervalSeconds), this::scan);
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public synchronized void scan() {
        Path inbox = Path.of(inboxDir);
        try {
            Files.createDirectories(inbox.resolve("archive"));
            Files.createDirectories(inbox.resolve("failed"));
        } catch (IOException e) {
            LOG.warning("Inbox " + inbox + " is not usable: " + e.getMessage());
            return;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(inbox)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(this::settled)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            LOG.warning("Listing the inbox " + inbox + " failed: " + e.getMessage());
            return;
        }
        // Each file in a container transaction of its own. Payara enlists a connection only in the
        // transaction of the EJB invocation: a @Transactional CDI method called from a NOT_SUPPORTED
        // timer would run its SQL in autocommit, and the per-transaction database role could not hold.
        InboxWatch self = context.getBusinessObject(InboxWatch.class);
        for (Path file : files) {
            Taken taken;
            try {
                taken = self.take(file);
            } catch (EJBException e) {
                LOG.log(
                        Level.WARNING,
                        "Inbox: " + file.getFileName() + " was rolled back; it is retried at the next scan",
                        e);
                continue;
            }
            // Moved only now that take's transaction is committed: the move is the inbox's acknowledgement.
            // Moved inside it, a kill or a failed commit after the move lost the file (archived, no invoice).
            taken.moveAway(file);
        }
    }

    /**
     * What a committed {@link #take} decided for its file: archive it under archiveAs, move it to failed/
     * with failure as the reason, or (both null) leave it for the next scan.
     */
    public record Taken(String archiveAs, String note, String failure) {
        static final Taken STAYS = new Taken(null, null, null);

        static Taken failed(String reason) {
            return new Taken(null, null, reason);
        }

        void moveAway(Path file) {
            String name = file.getFileName().toString();
            if (failure != null) {
                fail(file, failure);
            } else if (archiveAs != null) {
                try {
                    move(file, "archive", archiveAs);
                    LOG.info(() -> "Inbox: " + name + " -> " + note);
                } catch (IOException e) {
                    // Stored and committed: the next scan finds the file again and answers it by its hash.
                    LOG.warning("Inbox: " + name + " is stored (" + note + ") but could not be archived: "
                            + e.getMessage());
                }
            }
        }
    }

    private boolean settled(Path file) {
        try {
            return Files.getLastModifiedTime(file)
                    .toInstant()
                    .isBefore(Instant.now().minusSeconds(settleSeconds));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stores one file with its job, in a container transaction of its own, and says where the file goes;
     * the caller moves it only after this returned, that is after the commit.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Taken take(Path file) {
        String name = file.getFileName().toString();
        try {
            if (Files.size(file) > maxBytes) {
                return Taken.failed("larger than " + maxBytes + " bytes (apintake.intake.max-bytes)");
            }
            byte[] bytes = Files.readAllBytes(file);
            String type = Files.probeContentType(file);
            // The inbox is an upload channel: it acts as a clerk would, under its own name.
            // Stored with its job in the intake queue: the workers extract it, as for an asynchronous upload.
            var receipt = caller.runAs("inbox", Set.of(Roles.CLERK), () -> intake.accept(bytes, name, type));
            long id = receipt.invoice().id();
            return new Taken(id + "-" + name, "invoice " + id + (receipt.created() ? "" : " (already received)"), null);
        } catch (UnsupportedDocumentException | MalformedDocumentException e) {
            return Taken.failed(e.getMessage());
        } catch (WebApplicationException e) {
            return Taken.failed(e.getMessage());
        } catch (IOException | RuntimeException e) {
            // Database down or similar: leave the file where it is for the next scan.
            LOG.log(Level.WARNING, "Inbox: " + name + " stays in the inbox for the next scan: " + e.getMessage(), e);
            return Taken.STAYS;
        }
    }

    private static void fail(Path file, String reason) {
        String name = file.getFileName().toString();
        try {
            Path moved = move(file, "failed", name);
            Files.writeString(
                    moved.resolveSibling(moved.getFileName() + ".reason.txt"),
                    "Not taken by ap-intake at " + Instant.now() + ": " + reason + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            LOG.warning("Inbox: " + name + " moved to failed/: " + reason);
        } catch (IOException e) {
            LOG.warning("Inbox: could not move " + name + " to failed/: " + e.getMessage());
        }
    }

    private static Path move(Path file, String folder, String name) throws IOException {
        Path target = file.resolveSibling(folder).resolve(name);
        if (Files.exists(target)) {
            target = target.resolveSibling(STAMP.format(Instant.now()) + "-" + name);
        }
        return Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
