package com.apintake.extraction.control;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentCatalog;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDNameTreeNode;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.common.filespecification.PDFileSpecification;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotation;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationFileAttachment;

/**
 * Finds the invoice XML a hybrid PDF (Factur-X, ZUGFeRD, XRechnung in PDF) carries as an embedded
 * file. The standards name the file, so other attachments (delivery notes, timesheets) are ignored.
 * Looked for where producers put it: the EmbeddedFiles name tree (what Factur-X requires), the
 * catalog's associated files (PDF/A-3 /AF), and file attachment annotations on pages.
 */
final class EmbeddedInvoiceXml {

    /** An embedded file: the name it was found under and its decoded bytes. */
    record Attachment(String name, byte[] content) {}

    /** A file specification and the name-tree key it was listed under, if any. */
    private record Candidate(String key, PDComplexFileSpecification file) {}

    private static final Set<String> INVOICE_FILE_NAMES =
            Set.of("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml");

    // Far above any real invoice XML; stops a compressed stream from inflating without bound.
    static final int MAX_XML_BYTES = 20 * 1024 * 1024;

    // Name trees can be built to loop; real ones are one or two levels deep.
    private static final int MAX_NAME_TREE_DEPTH = 16;

    Optional<Attachment> find(byte[] pdf) {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            PDDocumentCatalog catalog = document.getDocumentCatalog();
            for (Candidate candidate : candidates(document, catalog)) {
                Optional<Attachment> attachment = invoiceXml(candidate);
                if (attachment.isPresent()) {
                    return attachment;
                }
            }
            return Optional.empty();
        } catch (MalformedDocumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // PDFBox reports some structural damage as unchecked exceptions; to the uploader it is the same.
            throw new MalformedDocumentException("PDF could not be read: " + oneLine(e.getMessage()));
        }
    }

    private static List<Candidate> candidates(PDDocument document, PDDocumentCatalog catalog) throws IOException {
        List<Candidate> files = new ArrayList<>();
        PDDocumentNameDictionary names = catalog.getNames();
        if (names != null && names.getEmbeddedFiles() != null) {
            collect(names.getEmbeddedFiles(), files, 0);
        }
        COSArray associated = catalog.getCOSObject().getCOSArray(COSName.AF);
        if (associated != null) {
            for (int i = 0; i < associated.size(); i++) {
                COSBase entry = associated.getObject(i);
                if (entry instanceof COSDictionary dictionary) {
                    files.add(new Candidate(null, new PDComplexFileSpecification(dictionary)));
                }
            }
        }
        for (PDPage page : document.getPages()) {
            for (PDAnnotation annotation : page.getAnnotations()) {
                if (annotation instanceof PDAnnotationFileAttachment attachment) {
                    PDFileSpecification file = attachment.getFile();
                    if (file instanceof PDComplexFileSpecification complex) {
                        files.add(new Candidate(null, complex));
                    }
                }
            }
        }
        return files;
    }

    private static void collect(PDNameTreeNode<PDComplexFileSpecification> node, List<Candidate> files, int depth)
            throws IOException {
        if (depth > MAX_NAME_TREE_DEPTH) {
            return;
        }
        Map<String, PDComplexFileSpecification> names = node.getNames();
        if (names != null) {
            for (Map.Entry<String, PDComplexFileSpecification> entry : names.entrySet()) {
                files.add(new Candidate(entry.getKey(), entry.getValue()));
            }
        }
        List<PDNameTreeNode<PDComplexFileSpecification>> kids = node.getKids();
        if (kids != null) {
            for (PDNameTreeNode<PDComplexFileSpecification> kid : kids) {
                collect(kid, files, depth + 1);
            }
        }
    }

    private static Optional<Attachment> invoiceXml(Candidate candidate) throws IOException {
        PDComplexFileSpecification file = candidate.file();
        if (file == null) {
            return Optional.empty();
        }
        // The tree key is the name PDF readers show; the specification may spell the file differently.
        String name = isInvoiceName(candidate.key()) ? candidate.key() : invoiceName(file);
        if (name == null) {
            return Optional.empty();
        }
        PDEmbeddedFile embedded = firstNonNull(
                file.getEmbeddedFileUnicode(),
                file.getEmbeddedFile(),
                file.getEmbeddedFileUnix(),
                file.getEmbeddedFileDos(),
                file.getEmbeddedFileMac());
        if (embedded == null) {
            return Optional.empty();
        }
        try (InputStream in = embedded.createInputStream()) {
            byte[] content = in.readNBytes(MAX_XML_BYTES + 1);
            if (content.length > MAX_XML_BYTES) {
                throw new MalformedDocumentException(
                        "embedded " + name + " is larger than " + MAX_XML_BYTES / (1024 * 1024) + " MB");
            }
            return Optional.of(new Attachment(name, content));
        }
    }

    private static String invoiceName(PDComplexFileSpecification file) {
        for (String candidate : new String[] {file.getFileUnicode(), file.getFile(), file.getFilename()}) {
            if (isInvoiceName(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    // ZUGFeRD 1 wrote "ZUGFeRD-invoice.xml"; producers vary the case, so names compare without it.
    private static boolean isInvoiceName(String name) {
        return name != null && INVOICE_FILE_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    private static PDEmbeddedFile firstNonNull(PDEmbeddedFile... files) {
        for (PDEmbeddedFile file : files) {
            if (file != null) {
                return file;
            }
        }
        return null;
    }

    private static String oneLine(String message) {
        return message == null
                ? "unknown reason"
                : message.replaceAll("\\s+", " ").trim();
    }
}
