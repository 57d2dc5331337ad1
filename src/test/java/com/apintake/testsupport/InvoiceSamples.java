package com.apintake.testsupport;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.entity.InvoiceData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationFileAttachment;

/** The hand-written invoices under src/test/resources/invoices, and PDFs built around them. */
public final class InvoiceSamples {

    public static final String UBL_INVOICE = "ubl-invoice.xml";
    public static final String UBL_CREDIT_NOTE = "ubl-credit-note.xml";
    public static final String CII = "cii-xrechnung.xml";

    /** Where a test PDF carries its attachment. */
    public enum AttachedAs {
        /** The catalog's EmbeddedFiles name tree, as Factur-X prescribes. */
        EMBEDDED_FILES,
        /** Only the catalog's associated files (/AF), as some PDF/A-3 producers do. */
        ASSOCIATED_FILES,
        /** A file attachment annotation on the first page. */
        PAGE_ANNOTATION
    }

    private InvoiceSamples() {}

    public static String text(String name) {
        try (InputStream in = InvoiceSamples.class.getResourceAsStream("/invoices/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(String name) {
        return text(name).getBytes(StandardCharsets.UTF_8);
    }

    /** The sample after the given replacements, each of which must match, read into business terms. */
    public static InvoiceData invoice(String name, String... replacements) {
        return new InvoiceReader()
                .read(mutated(name, replacements).getBytes(StandardCharsets.UTF_8))
                .invoice();
    }

    public static String mutated(String name, String... replacements) {
        if (replacements.length % 2 != 0) {
            throw new IllegalArgumentException("replacements come in pairs");
        }
        String xml = text(name);
        for (int i = 0; i < replacements.length; i += 2) {
            if (!xml.contains(replacements[i])) {
                throw new IllegalArgumentException(name + " does not contain " + replacements[i]);
            }
            xml = xml.replace(replacements[i], replacements[i + 1]);
        }
        return xml;
    }

    /** A one-page PDF without attachments: what a scanner or a word processor produces. */
    public static byte[] plainPdf() {
        return pdf(null, null, AttachedAs.EMBEDDED_FILES);
    }

    /** A one-page PDF carrying {@code xml} as an embedded file called {@code fileName}. */
    public static byte[] pdfWithAttachment(byte[] xml, String fileName, AttachedAs attachedAs) {
        return pdf(xml, fileName, attachedAs);
    }

    private static byte[] pdf(byte[] xml, String fileName, AttachedAs attachedAs) {
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(72, 760);
                content.showText("Invoice RE-2024-1001");
                content.endText();
            }
            if (xml != null) {
                PDEmbeddedFile embedded = new PDEmbeddedFile(document, new ByteArrayInputStream(xml));
                embedded.setSubtype("text/xml");
                embedded.setSize(xml.length);
                PDComplexFileSpecification file = new PDComplexFileSpecification();
                file.setFile(fileName);
                file.setFileUnicode(fileName);
                file.setEmbeddedFile(embedded);
                file.setEmbeddedFileUnicode(embedded);
                switch (attachedAs) {
                    case EMBEDDED_FILES -> {
                        PDEmbeddedFilesNameTreeNode tree = new PDEmbeddedFilesNameTreeNode();
                        tree.setNames(Map.of(fileName, file));
                        PDDocumentNameDictionary names = new PDDocumentNameDictionary(document.getDocumentCatalog());
                        names.setEmbeddedFiles(tree);
                        document.getDocumentCatalog().setNames(names);
                    }
                    case ASSOCIATED_FILES -> {
                        COSArray associated = new COSArray();
                        associated.add(file);
                        document.getDocumentCatalog().getCOSObject().setItem(COSName.AF, associated);
                    }
                    case PAGE_ANNOTATION -> {
                        PDAnnotationFileAttachment annotation = new PDAnnotationFileAttachment();
                        annotation.setFile(file);
                        annotation.setRectangle(new PDRectangle(72, 700, 16, 16));
                        page.getAnnotations().add(annotation);
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
