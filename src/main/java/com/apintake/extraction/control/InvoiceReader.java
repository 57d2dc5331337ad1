package com.apintake.extraction.control;

import com.apintake.extraction.entity.Extraction;
import com.apintake.extraction.entity.Format;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Reads an uploaded invoice, whatever its format, into EN 16931 business terms with a confidence per
 * field. The format is detected from the bytes themselves, never from the declared content type,
 * which uploaders and mail gateways routinely get wrong ({@code application/octet-stream},
 * {@code text/xml} for a PDF, ...).
 *
 * <p>Confidence: for XML, a field scores 1.0 when present and well-formed and 0.0 when it is
 * mandatory and missing or present but malformed (the value itself is then left out); absent
 * optional fields are not scored. {@code overall} is the mean of the per-field scores present. For
 * a future OCR engine the per-field score would be the engine's own confidence for that field, and
 * {@code overall} the same mean.
 *
 * <p>A PDF without embedded invoice XML is a normal outcome, not an error: it comes back with no
 * fields, overall confidence 0 and {@code needsManualEntry}. Stateless and thread-safe.
 */
@ApplicationScoped
public class InvoiceReader {

    private static final byte[] PDF_MAGIC = "%PDF-".getBytes(StandardCharsets.US_ASCII);

    private final SecureXmlParser xml = new SecureXmlParser();

    /**
     * @throws UnsupportedDocumentException when the document is neither UBL, CII nor a PDF
     * @throws MalformedDocumentException when it is XML (or a PDF, or the XML inside a PDF) that
     *     cannot be parsed, or carries a DTD
     */
    public Extraction read(byte[] document) {
        if (document == null || document.length == 0) {
            throw new UnsupportedDocumentException("the document is empty");
        }
        if (startsWith(document, PDF_MAGIC)) {
            return readPdf(document);
        }
        int start = xmlStart(document);
        if (start < 0) {
            throw new UnsupportedDocumentException("not an invoice format we read: expected UBL or CII XML, or a PDF");
        }
        Document parsed = xml.parse(start == 0 ? document : Arrays.copyOfRange(document, start, document.length));
        return switch (syntax(parsed)) {
            case UBL -> new UblReader().read(parsed);
            case CII -> new CiiReader().read(parsed, Format.CII);
            default -> throw unsupportedRoot(parsed, "");
        };
    }

    /**
     * The invoice XML inside a document, as the official rules read it: an XML document itself (from
     * its first '<'), the XML embedded in a PDF, or empty for a PDF without one or anything else.
     */
    public Optional<byte[]> invoiceXml(byte[] document) {
        if (document == null || document.length == 0) {
            return Optional.empty();
        }
        if (startsWith(document, PDF_MAGIC)) {
            return new EmbeddedInvoiceXml().find(document).map(EmbeddedInvoiceXml.Attachment::content);
        }
        int start = xmlStart(document);
        if (start < 0) {
            return Optional.empty();
        }
        return Optional.of(start == 0 ? document : Arrays.copyOfRange(document, start, document.length));
    }

    /**
     * The cheap part of {@link #read}: whether the bytes are XML or a PDF at all. Lets the
     * asynchronous intake refuse junk (415) before it stores anything; the rest is read by a worker.
     */
    public static void checkFormat(byte[] document) {
        if (document == null || document.length == 0) {
            throw new UnsupportedDocumentException("the document is empty");
        }
        if (!startsWith(document, PDF_MAGIC) && xmlStart(document) < 0) {
            throw new UnsupportedDocumentException("not an invoice format we read: expected UBL or CII XML, or a PDF");
        }
    }

    private Extraction readPdf(byte[] pdf) {
        EmbeddedInvoiceXml.Attachment attachment =
                new EmbeddedInvoiceXml().find(pdf).orElse(null);
        if (attachment == null) {
            return new Extraction(Format.PDF, null, Map.of("overall", 0.0), true);
        }
        String where = "embedded " + attachment.name() + ": ";
        Document parsed;
        try {
            parsed = xml.parse(attachment.content());
        } catch (MalformedDocumentException e) {
            throw new MalformedDocumentException(where + e.getMessage());
        }
        Extraction extraction = switch (syntax(parsed)) {
            case CII -> new CiiReader().read(parsed, Format.FACTURX);
            // XRechnung allows UBL inside the PDF as well; the fields still come from XML.
            case UBL -> new UblReader().read(parsed);
            default -> throw unsupportedRoot(parsed, where);
        };
        return new Extraction(
                Format.FACTURX, extraction.invoice(), extraction.confidence(), extraction.needsManualEntry());
    }

    private enum Syntax {
        UBL,
        CII,
        OTHER
    }

    /** Decided by root element and namespace alone: both syntaxes fix them. */
    private static Syntax syntax(Document document) {
        Element root = document.getDocumentElement();
        String namespace = root.getNamespaceURI();
        String name = root.getLocalName();
        if (("Invoice".equals(name) && UblReader.INVOICE_NS.equals(namespace))
                || ("CreditNote".equals(name) && UblReader.CREDIT_NOTE_NS.equals(namespace))) {
            return Syntax.UBL;
        }
        if ("CrossIndustryInvoice".equals(name) && CiiReader.NS.equals(namespace)) {
            return Syntax.CII;
        }
        return Syntax.OTHER;
    }

    private static UnsupportedDocumentException unsupportedRoot(Document document, String where) {
        Element root = document.getDocumentElement();
        String namespace = root.getNamespaceURI() == null ? "" : "{" + root.getNamespaceURI() + "}";
        return new UnsupportedDocumentException(where + "XML root element " + namespace + root.getLocalName()
                + " is not a UBL Invoice/CreditNote or a CII CrossIndustryInvoice");
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /*
     * Where the XML starts, or -1 when the bytes do not look like XML. A UTF-8 byte order mark and
     * stray whitespace before the first '<' are skipped: strictly the latter is not well-formed before
     * an XML declaration, but exporters produce it and it changes nothing. UTF-16 is left for the
     * parser to decode.
     */
    private static int xmlStart(byte[] bytes) {
        int i = 0;
        if (bytes.length >= 2
                && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                        || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            return 0;
        }
        if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
            i = 3;
        }
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) {
            i++;
        }
        return i < bytes.length && bytes[i] == '<' ? i : -1;
    }
}
