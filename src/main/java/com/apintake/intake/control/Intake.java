package com.apintake.intake.control;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.control.MalformedDocumentException;
import com.apintake.extraction.control.UnsupportedDocumentException;
import com.apintake.extraction.entity.Extraction;
import com.apintake.intake.entity.InvalidFieldException;
import com.apintake.intake.entity.Invoice;
import com.apintake.intake.entity.InvoiceView;
import com.apintake.validation.control.OfficialRules;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Timer;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * The way in for every invoice file, from REST or the inbox: fingerprint, answer a known file with
 * the existing invoice, otherwise extract, validate and store it. Extraction, the field limits of
 * {@link Invoice#received} and the EN 16931 rules run before the transaction, so a bad file (415,
 * 422) stores nothing and holds no connection.
 */
@ApplicationScoped
public class Intake {

    /** created=false: the same file was received before; invoice is that earlier one. */
    public record Receipt(InvoiceView invoice, boolean created) {}

    @Inject
    InvoiceReader reader;

    @Inject
    OfficialRules officialRules;

    @Inject
    Registration registration;

    @Inject
    GroupCommit groupCommit;

    @Inject
    jakarta.enterprise.event.Event<Queued> queued;

    @Inject
    Invoices invoices;

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry metrics;

    public Receipt receive(byte[] bytes, String filename, String contentType) {
        Timer.Context timing = timer(IntakeMetrics.DURATION).time();
        try {
            String hash = FileFingerprint.of(bytes);
            Optional<InvoiceView> known = invoices.findByHash(hash);
            if (known.isPresent()) {
                counter("apintake_invoices_duplicate_files_total").inc();
                return new Receipt(known.get(), false);
            }
            Extraction extraction = reader.read(bytes);
            if (!extraction.format().fitsDeclared(contentType)) {
                throw new UnsupportedDocumentException("the file was sent as " + contentType.split(";", 2)[0].strip()
                        + " but is " + extraction.format().mediaType() + " (" + extraction.format() + ")");
            }
            Invoice invoice =
                    Invoice.received(hash, filename, extraction.format().mediaType(), bytes.length, extraction);
            Registration.Registered registered =
                    registration.register(invoice, bytes, standardFindings(bytes, extraction));
            if (!registered.created()) {
                counter("apintake_invoices_duplicate_files_total").inc();
                return new Receipt(invoices.findByHash(hash).orElseThrow(), false);
            }
            counter("apintake_invoices_received_total").inc();
            counter("apintake_exceptions_raised_total").inc(invoice.raised().size());
            if (invoice.duplicateOf() != null) {
                counter("apintake_invoices_suspected_duplicates_total").inc();
            }
            return new Receipt(registered.view(), true);
        } finally {
            timing.stop();
        }
    }

    /** Fired after a file was queued (committed), so an idle worker can start at once. */
    public record Queued(long invoiceId) {}

    /**
     * Asynchronous intake: stores the file, its hash and its job, and answers before anything is
     * extracted. The file-duplicate decision is made here, by the storing statement itself (a known
     * file answers with its invoice);
     * bytes that are neither XML nor PDF are refused at once (415), the rest is the worker's.
     */
    public Receipt accept(byte[] bytes, String filename, String contentType) {
        Timer.Context timing = timer(IntakeMetrics.ACCEPT_DURATION).time();
        try {
            String hash = FileFingerprint.of(bytes);
            InvoiceReader.checkFormat(bytes);
            // No look-up of the hash first (the synchronous path has one to spare a known file the rules):
            // the unique index on file_hash decides in the storing statement, one transaction less per upload.
            // Concurrent uploads share one transaction and commit (GroupCommit).
            InvoiceView view = groupCommit.accept(hash, filename, contentType, bytes);
            if (view == null) {
                counter("apintake_invoices_duplicate_files_total").inc();
                return new Receipt(invoices.findByHash(hash).orElseThrow(), false);
            }
            counter("apintake_invoices_queued_total").inc();
            queued.fire(new Queued(view.id()));
            return new Receipt(view, true);
        } finally {
            timing.stop();
        }
    }

    /**
     * A worker's part: extract and validate a queued invoice and write the result. A file that cannot
     * be read is kept as NEEDS_MANUAL_ENTRY with the reason. Throws Registration.LeaseLost when the
     * job's lease expired meanwhile (nothing is written then).
     */
    public void process(IntakeQueue.Job job) {
        Timer.Context timing = timer(IntakeMetrics.WORKER_DURATION).time();
        try {
            Invoice invoice;
            List<Finding> standard = List.of();
            try {
                Extraction extraction = reader.read(job.content());
                invoice = Invoice.received(
                        job.fileHash(),
                        job.filename(),
                        extraction.format().mediaType(),
                        job.content().length,
                        extraction);
                standard = standardFindings(job.content(), extraction);
            } catch (MalformedDocumentException | UnsupportedDocumentException | InvalidFieldException e) {
                invoice = Invoice.unreadable(
                        job.fileHash(), job.filename(), job.contentType(), job.content().length, e.getMessage());
            }
            if (registration.complete(job, invoice, standard)) {
                counter("apintake_invoices_received_total").inc();
                counter("apintake_exceptions_raised_total").inc(invoice.raised().size());
                if (invoice.duplicateOf() != null) {
                    counter("apintake_invoices_suspected_duplicates_total").inc();
                }
            }
        } finally {
            timing.stop();
        }
    }

    /**
     * The official EN 16931 findings (and the CIUS layer the document names) of the invoice XML, or of
     * the XML embedded in a PDF: one call, before any transaction.
     */
    private List<Finding> standardFindings(byte[] document, Extraction extraction) {
        List<Finding> findings = new ArrayList<>();
        if (extraction.invoice() != null) {
            reader.invoiceXml(document).ifPresent(xml -> findings.addAll(officialRules.check(xml)));
        }
        return findings;
    }

    /** The intake's families exist from deployment on, at 0, not only after the first invoice. */
    void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        timer(IntakeMetrics.DURATION);
        timer(IntakeMetrics.ACCEPT_DURATION);
        timer(IntakeMetrics.WORKER_DURATION);
        IntakeMetrics.counterNames().forEach(this::counter);
    }

    // The registry's look-up by Metadata (a builder and map probes per call) was ~1.5 % of a 202's samples.
    private final java.util.Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    private Counter counter(String name) {
        return counters.computeIfAbsent(name, n -> metrics.counter(IntakeMetrics.counter(n)));
    }

    private Timer timer(org.eclipse.microprofile.metrics.Metadata metadata) {
        return timers.computeIfAbsent(metadata.getName(), n -> metrics.timer(metadata));
    }
}
