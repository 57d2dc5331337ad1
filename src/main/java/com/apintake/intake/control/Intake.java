package com.apintake.intake.control;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.control.UnsupportedDocumentException;
import com.apintake.extraction.entity.Extraction;
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
 * the existing invoice, otherwise extract, validate and store it. Extraction and the EN 16931 rules
 * run before the transaction, so a bad file (415, 422) stores nothing and holds no connection.
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
    InvoiceStore store;

    @Inject
    Invoices invoices;

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry metrics;

    public Receipt receive(byte[] bytes, String filename, String contentType) {
        Timer.Context timing = metrics.timer(IntakeMetrics.DURATION).time();
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
            List<Finding> findings = new ArrayList<>();
            if (extraction.invoice() != null) {
                reader.invoiceXml(bytes).ifPresent(xml -> findings.addAll(officialRules.check(xml)));
            }
            InvoiceStore.Stored stored =
                    store.store(hash, filename, extraction.format().mediaType(), bytes, extraction, findings);
            if (stored.created()) {
                counter("apintake_invoices_received_total").inc();
                counter("apintake_exceptions_raised_total").inc(stored.exceptionsRaised());
                if (stored.suspectedDuplicate()) {
                    counter("apintake_invoices_suspected_duplicates_total").inc();
                }
            } else {
                counter("apintake_invoices_duplicate_files_total").inc();
            }
            return new Receipt(invoices.find(stored.invoiceId()).orElseThrow(), stored.created());
        } finally {
            timing.stop();
        }
    }

    /** The intake's families exist from deployment on, at 0, not only after the first invoice. */
    void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        metrics.timer(IntakeMetrics.DURATION);
        IntakeMetrics.counterNames().forEach(this::counter);
    }

    private Counter counter(String name) {
        return metrics.counter(IntakeMetrics.counter(name));
    }
}
