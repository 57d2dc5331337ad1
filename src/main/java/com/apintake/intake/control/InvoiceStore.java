package com.apintake.intake.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.exceptions.entity.ExceptionType;
import com.apintake.extraction.entity.Extraction;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.security.control.Caller;
import com.apintake.validation.entity.Finding;
import com.apintake.vendors.control.VendorMatch;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stores one received invoice with everything learnt about it — document, extraction, validations,
 * exceptions, workflow state — in one transaction: all of it or nothing. The unique index on
 * file_hash decides, inside the database, which of several concurrent uploads of a file is the one.
 */
@ApplicationScoped
public class InvoiceStore {

    /** What the store did: created a new invoice, or found the file already there. */
    public record Stored(long invoiceId, boolean created, int exceptionsRaised, boolean suspectedDuplicate) {}

    record Raised(ExceptionType type, String detail) {}

    static final String INSERT_INVOICE = """
            INSERT INTO invoices (file_hash, original_filename, content_type, size_bytes, invoice_number, type_code,
                                  issue_date, due_date, currency, total_net, total_vat, total_gross, amount_due,
                                  status, workflow_status, uploaded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RECEIVED', ?)
            ON CONFLICT (file_hash) DO NOTHING
            RETURNING id""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    AuditTrail audit;

    @Inject
    @ConfigProperty(name = "apintake.validation.min-confidence", defaultValue = "0.8")
    double minConfidence;

    @Transactional
    public Stored store(
            String fileHash,
            String filename,
            String contentType,
            byte[] bytes,
            Extraction extraction,
            List<Finding> findings) {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            InvoiceData data = extraction.invoice();
            Optional<Long> inserted = insertInvoice(
                    connection, fileHash, filename, contentType, bytes.length, data, extraction, caller.name());
            if (inserted.isEmpty()) {
                return new Stored(existingId(connection, fileHash), false, 0, false);
            }
            long id = inserted.get();
            WorkflowStatus status = WorkflowStatus.RECEIVED.moveTo(WorkflowStatus.EXTRACTED);
            insertDocument(connection, id, bytes);
            insertExtraction(connection, id, extraction);

            List<Finding> all = new ArrayList<>(findings);
            List<Raised> raised = new ArrayList<>();
            Long duplicateOf = null;
            Long matchedVendor = null;
            if (extraction.needsManualEntry()) {
                raised.add(new Raised(
                        ExceptionType.NEEDS_MANUAL_ENTRY,
                        "No machine-readable invoice in this " + extraction.format() + ": enter the fields by hand."));
            } else {
                Optional<VendorMatch.Match> vendor = VendorMatch.find(connection, data);
                all.add(vendorFinding(vendor, data));
                if (vendor.isEmpty()) {
                    raised.add(new Raised(
                            ExceptionType.UNKNOWN_VENDOR,
                            "No vendor matches seller '" + data.sellerName() + "' (VAT id " + data.sellerVatId()
                                    + ", identifiers " + data.sellerIdentifiers() + ")."));
                } else {
                    long vendorId = vendor.get().vendorId();
                    matchedVendor = vendorId;
                    Finding bank = bankAccountFinding(connection, vendorId, data);
                    all.add(bank);
                    if (!bank.passed()) {
                        raised.add(new Raised(ExceptionType.BANK_ACCOUNT_CHANGE, bank.detail()));
                    }
                    Optional<Long> earlier = DuplicateCheck.earlier(connection, vendorId, data, id);
                    all.add(new Finding(
                            "AP-DUPLICATE",
                            earlier.isEmpty(),
                            earlier.map(e -> "Same vendor, number, date, gross amount and currency as invoice " + e
                                            + ".")
                                    .orElse("No earlier invoice with the same content.")));
                    if (earlier.isPresent()) {
                        duplicateOf = earlier.get();
                        raised.add(new Raised(
                                ExceptionType.SUSPECTED_DUPLICATE,
                                "Repeats invoice " + duplicateOf
                                        + " (" + data.invoiceNumber() + " of " + data.issueDate() + ", "
                                        + data.totalWithVat()
                                        + " " + data.currency() + "): confirm or dismiss."));
                    }
                }
                double overall = extraction.confidence().getOrDefault("overall", 0.0);
                boolean confident = overall >= minConfidence;
                all.add(new Finding(
                        "AP-CONFIDENCE",
                        confident,
                        String.format(
                                Locale.ROOT, "Extraction confidence %.3f, threshold %.3f.", overall, minConfidence)));
                if (!confident) {
                    raised.add(new Raised(
                            ExceptionType.LOW_CONFIDENCE,
                            String.format(
                                    Locale.ROOT,
                                    "Extraction confidence %.3f is below %.3f: check the fields against the document.",
                                    overall,
                                    minConfidence)));
                }
                List<String> failed = findings.stream()
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
            }
            insertValidations(connection, id, all);
            insertExceptions(connection, id, raised);

            if (duplicateOf != null) {
                status = status.moveTo(WorkflowStatus.SUSPECTED_DUPLICATE);
            } else if (!raised.isEmpty()) {
                status = status.moveTo(WorkflowStatus.EXCEPTIONS_FOUND);
            } else {
                // Nothing for a person to look at: straight into the approval queue.
                status = status.moveTo(WorkflowStatus.VALIDATED).moveTo(WorkflowStatus.PENDING_APPROVAL);
            }
            finish(connection, id, status, matchedVendor, duplicateOf);
            audit.record(connection, "invoice.upload", "invoice " + id, "file " + filename + ", sha256 " + fileHash);
            return new Stored(id, true, raised.size(), duplicateOf != null);
        } catch (SQLException e) {
            throw new IllegalStateException("Storing invoice " + fileHash + " failed", e);
        }
    }

    private static Finding vendorFinding(Optional<VendorMatch.Match> vendor, InvoiceData data) {
        return vendor.map(v -> new Finding(
                        "AP-VENDOR-MATCH", true, "Vendor " + v.vendorId() + " matched by " + v.matchedBy() + "."))
                .orElse(new Finding("AP-VENDOR-MATCH", false, "Seller '" + data.sellerName() + "' matches no vendor."));
    }

    private static Finding bankAccountFinding(Connection connection, long vendorId, InvoiceData data)
            throws SQLException {
        String onInvoice = normalizeIban(data.sellerIban());
        VendorMatch.BankCheck check = onInvoice == null ? null : VendorMatch.bankCheck(connection, vendorId, onInvoice);
        if (onInvoice == null || !check.onFile()) {
            return new Finding(
                    "AP-BANK-ACCOUNT",
                    true,
                    "not applicable: no IBAN on the " + (onInvoice == null ? "invoice" : "vendor master") + ".");
        }
        boolean same = check.matches();
        return new Finding(
                "AP-BANK-ACCOUNT",
                same,
                same
                        ? "IBAN matches the vendor master."
                        : "IBAN on the invoice " + mask(onInvoice) + " differs from the vendor master "
                                + check.maskedOnFile()
                                + ": verify the change with the vendor by phone before paying.");
    }

    static String normalizeIban(String iban) {
        return iban == null || iban.isBlank() ? null : iban.replace(" ", "").toUpperCase(Locale.ROOT);
    }

    /** Enough of an IBAN to tell two apart, not enough to copy it. */
    static String mask(String iban) {
        return iban.length() <= 8 ? "****" : iban.substring(0, 4) + "****" + iban.substring(iban.length() - 4);
    }

    private static Optional<Long> insertInvoice(
            Connection connection,
            String hash,
            String filename,
            String contentType,
            long size,
            InvoiceData data,
            Extraction extraction,
            String uploadedBy)
            throws SQLException {
        try (var statement = connection.prepareStatement(INSERT_INVOICE)) {
            statement.setString(1, hash);
            statement.setString(2, filename);
            statement.setString(3, contentType);
            statement.setLong(4, size);
            statement.setString(5, data == null ? null : data.invoiceNumber());
            statement.setString(6, data == null ? null : data.typeCode());
            statement.setObject(7, data == null ? null : data.issueDate(), Types.DATE);
            statement.setObject(8, data == null ? null : data.dueDate(), Types.DATE);
            String currency = data == null ? null : data.currency();
            statement.setString(9, currency != null && currency.matches("[A-Z]{3}") ? currency : null);
            statement.setBigDecimal(10, data == null ? null : data.totalWithoutVat());
            statement.setBigDecimal(11, data == null ? null : data.totalVat());
            statement.setBigDecimal(12, data == null ? null : data.totalWithVat());
            statement.setBigDecimal(13, data == null ? null : data.amountDue());
            statement.setString(14, extraction.needsManualEntry() ? "NEEDS_MANUAL_ENTRY" : "PROCESSED");
            statement.setString(15, uploadedBy);
            try (var rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private static long existingId(Connection connection, String hash) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT id FROM invoices WHERE file_hash = ?")) {
            statement.setString(1, hash);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("Conflict on file_hash " + hash + " but no row found");
                }
                return rows.getLong(1);
            }
        }
    }

    private static void insertDocument(Connection connection, long id, byte[] bytes) throws SQLException {
        try (var statement =
                connection.prepareStatement("INSERT INTO invoice_documents (invoice_id, content) VALUES (?, ?)")) {
            statement.setLong(1, id);
            statement.setBytes(2, bytes);
            statement.executeUpdate();
        }
    }

    private static void insertExtraction(Connection connection, long id, Extraction extraction) throws SQLException {
        try (var statement = connection.prepareStatement(
                "INSERT INTO invoice_extractions (invoice_id, format, fields, confidence_json) VALUES (?, ?, ?::jsonb, ?::jsonb)")) {
            statement.setLong(1, id);
            statement.setString(2, extraction.format().name());
            statement.setString(3, extraction.fieldsJson().toString());
            statement.setString(4, extraction.confidenceJson().toString());
            statement.executeUpdate();
        }
    }

    private static void insertValidations(Connection connection, long id, List<Finding> findings) throws SQLException {
        try (var statement = connection.prepareStatement(
                "INSERT INTO validations (invoice_id, rule_code, passed, detail, severity, location, source)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Finding finding : findings) {
                statement.setLong(1, id);
                statement.setString(2, finding.rule());
                statement.setBoolean(3, finding.passed());
                statement.setString(4, finding.detail());
                statement.setString(5, finding.severity());
                statement.setString(6, finding.location());
                statement.setString(7, finding.source());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void insertExceptions(Connection connection, long id, List<Raised> raised) throws SQLException {
        try (var statement =
                connection.prepareStatement("INSERT INTO exceptions (invoice_id, type, detail) VALUES (?, ?, ?)")) {
            for (Raised exception : raised) {
                statement.setLong(1, id);
                statement.setString(2, exception.type().name());
                statement.setString(3, exception.detail());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** One update with everything decided: state, vendor and the invoice it repeats. */
    private static void finish(Connection connection, long id, WorkflowStatus status, Long vendorId, Long duplicateOf)
            throws SQLException {
        try (var statement = connection.prepareStatement(
                "UPDATE invoices SET workflow_status = ?, vendor_id = ?, duplicate_of = ?, updated_at = now() WHERE id = ?")) {
            statement.setString(1, status.name());
            statement.setObject(2, vendorId, Types.BIGINT);
            statement.setObject(3, duplicateOf, Types.BIGINT);
            statement.setLong(4, id);
            statement.executeUpdate();
        }
    }
}
