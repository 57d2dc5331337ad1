package com.apintake.intake.entity;

import com.apintake.exceptions.entity.ExceptionType;
import com.apintake.extraction.entity.Extraction;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One received invoice file and what accounts payable decided about it, before it is saved. It owns
 * its workflow moves (through {@link WorkflowStatus}) and the exceptions its findings raise: a
 * failed AP rule holds the invoice for a person with the matching exception, a failed fatal
 * EN 16931 rule with VALIDATION_FAILED; warnings are kept and shown but hold nothing. Values the
 * books cannot take are refused when it is received, naming the field, so nothing half-stored exists.
 */
public final class Invoice {

    /** invoices.total_* and amount_due are numeric(19,2): at most 17 digits before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 17;
    /** Dates outside four-digit years are typing or extraction errors, not invoices. */
    public static final int MIN_YEAR = 1000;

    public static final int MAX_YEAR = 9999;
    /** The table's CHECK: a due date more than a year before the issue date is an error, not a term. */
    public static final int MAX_DAYS_DUE_BEFORE_ISSUE = 366;

    /** An exception this invoice raises for a person. */
    public record Raised(ExceptionType type, String detail) {}

    private final String fileHash;
    private final String filename;
    private final String contentType;
    private final long sizeBytes;
    private final Extraction extraction;
    private WorkflowStatus status = WorkflowStatus.RECEIVED;
    private Long vendorId;
    private Long duplicateOf;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Raised> raised = new ArrayList<>();

    private Invoice(String fileHash, String filename, String contentType, long sizeBytes, Extraction extraction) {
        this.fileHash = fileHash;
        this.filename = filename;
        this.contentType = contentType;
        this.sizeBytes = sizeBytes;
        this.extraction = extraction;
    }

    /** A file just received and read; refuses values that do not fit the books (InvalidFieldException). */
    public static Invoice received(
            String fileHash, String filename, String contentType, long sizeBytes, Extraction extraction) {
        InvoiceData data = extraction.invoice();
        if (data != null) {
            amount("totalWithoutVat (BT-109)", data.totalWithoutVat());
            amount("totalVat (BT-110)", data.totalVat());
            amount("totalWithVat (BT-112)", data.totalWithVat());
            amount("amountDue (BT-115)", data.amountDue());
            date("issueDate (BT-2)", data.issueDate());
            date("dueDate (BT-9)", data.dueDate());
            if (data.issueDate() != null
                    && data.dueDate() != null
                    && data.dueDate().isBefore(data.issueDate().minusDays(MAX_DAYS_DUE_BEFORE_ISSUE))) {
                throw new InvalidFieldException(
                        "dueDate (BT-9)",
                        "dueDate (BT-9) " + data.dueDate() + " is more than " + MAX_DAYS_DUE_BEFORE_ISSUE
                                + " days before the issue date " + data.issueDate() + ".");
            }
        }
        return new Invoice(fileHash, filename, contentType, sizeBytes, extraction);
    }

    private static void amount(String field, BigDecimal value) {
        if (value != null && value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
            throw new InvalidFieldException(
                    field,
                    field + " has " + (value.precision() - value.scale()) + " digits before the decimal point; at most "
                            + MAX_INTEGER_DIGITS + " are accepted.");
        }
    }

    private static void date(String field, LocalDate value) {
        if (value != null && (value.getYear() < MIN_YEAR || value.getYear() > MAX_YEAR)) {
            throw new InvalidFieldException(
                    field, field + " " + value + " is out of range: years " + MIN_YEAR + " to " + MAX_YEAR + ".");
        }
    }

    /**
     * A queued file the worker could not read (malformed, a value out of range): kept, with its
     * original document, for a person to enter by hand. extraction() is null.
     */
    public static Invoice unreadable(
            String fileHash, String filename, String contentType, long sizeBytes, String reason) {
        Invoice invoice = new Invoice(fileHash, filename, contentType, sizeBytes, null);
        invoice.status = invoice.status.moveTo(WorkflowStatus.EXTRACTED).moveTo(WorkflowStatus.EXCEPTIONS_FOUND);
        invoice.raised.add(new Raised(
                ExceptionType.NEEDS_MANUAL_ENTRY,
                "The file could not be read: " + reason + " Enter the fields by hand."));
        return invoice;
    }

    /**
     * Extracted and judged: moves to EXTRACTED and on to where the findings put it. standard are the
     * EN 16931 findings, ours the AP rules' ({@code AP-} prefix); vendorId the matched vendor,
     * duplicateOf the earlier invoice this one repeats.
     */
    public void judge(List<Finding> standard, List<Finding> ours, Long vendorId, Long duplicateOf) {
        status = status.moveTo(WorkflowStatus.EXTRACTED);
        this.vendorId = vendorId;
        this.duplicateOf = duplicateOf;
        findings.addAll(standard);
        findings.addAll(ours);
        InvoiceData data = extraction.invoice();
        if (extraction.needsManualEntry()) {
            raised.add(new Raised(
                    ExceptionType.NEEDS_MANUAL_ENTRY,
                    "No machine-readable invoice in this " + extraction.format() + ": enter the fields by hand."));
        }
        for (Finding finding : ours) {
            if (!finding.fails()) {
                continue;
            }
            switch (finding.rule()) {
                case "AP-VENDOR-MATCH" ->
                    raised.add(new Raised(
                            ExceptionType.UNKNOWN_VENDOR,
                            "No vendor matches seller '" + data.sellerName() + "' (VAT id " + data.sellerVatId()
                                    + ", identifiers " + data.sellerIdentifiers() + ")."));
                case "AP-BANK-ACCOUNT" -> raised.add(new Raised(ExceptionType.BANK_ACCOUNT_CHANGE, finding.detail()));
                case "AP-DUPLICATE" ->
                    raised.add(new Raised(
                            ExceptionType.SUSPECTED_DUPLICATE,
                            "Repeats invoice " + duplicateOf + " (" + data.invoiceNumber() + " of " + data.issueDate()
                                    + ", " + data.totalWithVat() + " " + data.currency() + "): confirm or dismiss."));
                case "AP-CONFIDENCE" ->
                    raised.add(new Raised(
                            ExceptionType.LOW_CONFIDENCE,
                            finding.detail() + " Check the fields against the document."));
                default -> raised.add(new Raised(ExceptionType.VALIDATION_FAILED, finding.detail()));
            }
        }
        List<String> failed = standard.stream()
                .filter(Finding::fails)
                .map(Finding::rule)
                .distinct()
                .toList();
        if (!failed.isEmpty()) {
            raised.add(new Raised(
                    ExceptionType.VALIDATION_FAILED,
                    "EN 16931 rules failed: " + String.join(", ", failed)
                            + ". See the invoice's validations for the numbers."));
        }
        if (duplicateOf != null) {
            status = status.moveTo(WorkflowStatus.SUSPECTED_DUPLICATE);
        } else if (!raised.isEmpty()) {
            status = status.moveTo(WorkflowStatus.EXCEPTIONS_FOUND);
        } else {
            // Nothing for a person to look at: straight into the approval queue.
            status = status.moveTo(WorkflowStatus.VALIDATED).moveTo(WorkflowStatus.PENDING_APPROVAL);
        }
    }

    /** How the API shows it once saved with this id and these timestamps: no re-read needed. */
    public InvoiceView view(long id, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        InvoiceData data = data();
        return new InvoiceView(
                id,
                fileHash,
                filename,
                contentType,
                sizeBytes,
                processing(),
                status,
                vendorId,
                data == null ? null : data.invoiceNumber(),
                data == null ? null : data.typeCode(),
                data == null ? null : data.issueDate(),
                data == null ? null : data.dueDate(),
                currency(),
                data == null ? null : data.totalWithoutVat(),
                data == null ? null : data.totalVat(),
                data == null ? null : data.totalWithVat(),
                data == null ? null : data.amountDue(),
                duplicateOf,
                raised.size(),
                createdAt,
                updatedAt);
    }

    /** invoices.status: whether a machine could read it. */
    public String processing() {
        return extraction == null || extraction.needsManualEntry() ? "NEEDS_MANUAL_ENTRY" : "PROCESSED";
    }

    /** The ISO 4217 code, or null when the document's is not three capital letters. */
    public String currency() {
        String currency = data() == null ? null : data().currency();
        return currency != null && currency.matches("[A-Z]{3}") ? currency : null;
    }

    public String fileHash() {
        return fileHash;
    }

    public String filename() {
        return filename;
    }

    public String contentType() {
        return contentType;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** Null for an {@link #unreadable} file. */
    public Extraction extraction() {
        return extraction;
    }

    /** The extracted business terms; null when nothing could be read by machine. */
    public InvoiceData data() {
        return extraction == null ? null : extraction.invoice();
    }

    public WorkflowStatus status() {
        return status;
    }

    public Long vendorId() {
        return vendorId;
    }

    public Long duplicateOf() {
        return duplicateOf;
    }

    public List<Finding> findings() {
        return Collections.unmodifiableList(findings);
    }

    public List<Raised> raised() {
        return Collections.unmodifiableList(raised);
    }

    /** Confidence of the extraction as a whole, 0..1. */
    public double overallConfidence() {
        Map<String, Double> confidence = extraction.confidence();
        return confidence.getOrDefault("overall", 0.0);
    }
}
