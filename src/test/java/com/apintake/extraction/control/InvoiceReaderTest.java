package com.apintake.extraction.control;

import static com.apintake.testsupport.InvoiceSamples.CII;
import static com.apintake.testsupport.InvoiceSamples.UBL_CREDIT_NOTE;
import static com.apintake.testsupport.InvoiceSamples.UBL_INVOICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.extraction.entity.AllowanceCharge;
import com.apintake.extraction.entity.Extraction;
import com.apintake.extraction.entity.Format;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.Line;
import com.apintake.extraction.entity.VatBreakdown;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.testsupport.InvoiceSamples.AttachedAs;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class InvoiceReaderTest {

    private final InvoiceReader reader = new InvoiceReader();

    static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    static final InvoiceData UBL_EXPECTED = new InvoiceData(
            "INV-2024-0042",
            "380",
            LocalDate.of(2024, 3, 15),
            LocalDate.of(2024, 4, 14),
            "Net 30 days, 2% discount within 10 days",
            "EUR",
            "04011000-12345-03",
            "PO-2024-117",
            "Nordwind Bürobedarf GmbH",
            "DE123456789",
            List.of("4000001000005", "SUP-778"),
            "DE89370400440532013000",
            "Stadtwerke Musterstadt AG",
            d("1582.50"),
            d("50.00"),
            d("15.00"),
            d("1547.50"),
            d("248.13"),
            d("1795.63"),
            d("100.00"),
            d("0.37"),
            d("1696.00"),
            List.of(
                    new Line("1", d("10"), "H87", d("120.00"), null, d("1200.00"), "S", d("19"), d("0"), d("0")),
                    new Line("2", d("4"), "HUR", d("85.00"), null, d("320.00"), "S", d("7"), d("20.00"), d("0")),
                    new Line("3", d("250"), "KGM", d("2.50"), d("10"), d("62.50"), "S", d("7"), d("0"), d("0"))),
            List.of(
                    new VatBreakdown("S", d("19"), d("1165.00"), d("221.35")),
                    new VatBreakdown("S", d("7"), d("382.50"), d("26.78"))),
            List.of(
                    new AllowanceCharge(false, d("50.00"), "S", d("19"), "Loyalty discount"),
                    new AllowanceCharge(true, d("15.00"), "S", d("19"), "Freight")),
            false,
            "DE",
            "DE",
            "HRB 12345",
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0");

    static final InvoiceData CREDIT_NOTE_EXPECTED = new InvoiceData(
            "CN-2024-0007",
            "381",
            LocalDate.of(2024, 4, 2),
            LocalDate.of(2024, 4, 30),
            null,
            "EUR",
            "04011000-12345-03",
            null,
            "Nordwind Bürobedarf GmbH",
            "DE123456789",
            List.of(),
            null,
            "Stadtwerke Musterstadt",
            d("285.50"),
            null,
            null,
            d("285.50"),
            d("54.25"),
            d("339.75"),
            null,
            null,
            d("339.75"),
            List.of(
                    new Line("1", d("2"), "H87", d("120.00"), null, d("240.00"), "S", d("19"), d("0"), d("0")),
                    new Line("2", d("1"), "C62", d("45.50"), null, d("45.50"), "S", d("19"), d("0"), d("0"))),
            List.of(new VatBreakdown("S", d("19"), d("285.50"), d("54.25"))),
            List.of(),
            true,
            "DE",
            "DE",
            null,
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0");

    static final InvoiceData CII_EXPECTED = new InvoiceData(
            "RE-2024-1001",
            "380",
            LocalDate.of(2024, 3, 20),
            LocalDate.of(2024, 4, 3),
            "Zahlbar innerhalb 14 Tagen ohne Abzug",
            "EUR",
            "991-12345-67",
            "BE-88231",
            "Lieferant Nord GmbH",
            "DE987654321",
            List.of("LN-4711", "4000001123452"),
            "DE02120300000000202051",
            "Landratsamt Beispielkreis",
            d("203.70"),
            d("10.00"),
            d("4.30"),
            d("198.00"),
            d("31.14"),
            d("229.14"),
            d("0.00"),
            null,
            d("229.14"),
            List.of(
                    new Line("1", d("3"), "C62", d("49.90"), d("1"), d("149.70"), "S", d("19"), d("0"), d("0")),
                    new Line("2", d("5"), "H87", d("12.00"), null, d("54.00"), "S", d("7"), d("6.00"), d("0"))),
            List.of(
                    new VatBreakdown("S", d("19"), d("144.00"), d("27.36")),
                    new VatBreakdown("S", d("7"), d("54.00"), d("3.78"))),
            List.of(
                    new AllowanceCharge(false, d("10.00"), "S", d("19"), "Rabatt"),
                    new AllowanceCharge(true, d("4.30"), "S", d("19"), "Versand")),
            false,
            "DE",
            "DE",
            "HRB 98765",
            "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0");

    @Nested
    class EveryField {

        @Test
        void ublInvoice() {
            Extraction extraction = reader.read(InvoiceSamples.bytes(UBL_INVOICE));

            assertThat(extraction.format()).isEqualTo(Format.UBL);
            assertThat(extraction.needsManualEntry()).isFalse();
            assertThat(extraction.invoice()).isEqualTo(UBL_EXPECTED);
            // BT-110 is the TaxTotal in the document currency, not the USD one listed first.
            assertThat(extraction.invoice().totalVat()).isEqualTo(d("248.13"));
            assertThat(extraction.confidence())
                    .containsEntry("overall", 1.0)
                    .allSatisfy((field, score) -> assertThat(score).as(field).isEqualTo(1.0));
        }

        @Test
        void ublCreditNote() {
            Extraction extraction = reader.read(InvoiceSamples.bytes(UBL_CREDIT_NOTE));

            assertThat(extraction.format()).isEqualTo(Format.UBL);
            assertThat(extraction.invoice()).isEqualTo(CREDIT_NOTE_EXPECTED);
            assertThat(extraction.confidence())
                    .containsEntry("overall", 1.0)
                    .containsEntry("dueDate", 1.0)
                    // Absent optional fields are not scored at all.
                    .doesNotContainKeys("sumOfAllowances", "paidAmount", "sellerIban", "sellerIdentifiers");
        }

        @Test
        void ciiXRechnung() {
            Extraction extraction = reader.read(InvoiceSamples.bytes(CII));

            assertThat(extraction.format()).isEqualTo(Format.CII);
            assertThat(extraction.needsManualEntry()).isFalse();
            assertThat(extraction.invoice()).isEqualTo(CII_EXPECTED);
            assertThat(extraction.confidence()).containsEntry("overall", 1.0);
        }

        @Test
        void ciiCreditNoteIsToldByItsTypeCode() {
            InvoiceData invoice =
                    InvoiceSamples.invoice(CII, "<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>381</ram:TypeCode>");

            assertThat(invoice.creditNote()).isTrue();
            assertThat(invoice.typeCode()).isEqualTo("381");
        }

        @ParameterizedTest
        @EnumSource(AttachedAs.class)
        void facturXPdfWherEverTheXmlIsAttached(AttachedAs attachedAs) {
            byte[] pdf = InvoiceSamples.pdfWithAttachment(InvoiceSamples.bytes(CII), "factur-x.xml", attachedAs);

            Extraction extraction = reader.read(pdf);

            assertThat(extraction.format()).isEqualTo(Format.FACTURX);
            assertThat(extraction.needsManualEntry()).isFalse();
            assertThat(extraction.invoice()).isEqualTo(CII_EXPECTED);
            assertThat(extraction.confidence()).containsEntry("overall", 1.0);
        }

        @ParameterizedTest
        @ValueSource(strings = {"zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml", "FACTUR-X.XML"})
        void zugferdAndXRechnungFileNames(String fileName) {
            byte[] pdf =
                    InvoiceSamples.pdfWithAttachment(InvoiceSamples.bytes(CII), fileName, AttachedAs.EMBEDDED_FILES);

            assertThat(reader.read(pdf).invoice()).isEqualTo(CII_EXPECTED);
        }

        @Test
        void ublInsideAPdfIsReadToo() {
            byte[] pdf = InvoiceSamples.pdfWithAttachment(
                    InvoiceSamples.bytes(UBL_INVOICE), "xrechnung.xml", AttachedAs.EMBEDDED_FILES);

            Extraction extraction = reader.read(pdf);

            assertThat(extraction.format()).isEqualTo(Format.FACTURX);
            assertThat(extraction.invoice()).isEqualTo(UBL_EXPECTED);
        }

        @Test
        void byteOrderMarkAndLeadingWhitespaceAreFine() {
            byte[] xml = ("\uFEFF\n  " + InvoiceSamples.text(UBL_INVOICE).strip()).getBytes(StandardCharsets.UTF_8);

            assertThat(reader.read(xml).invoice()).isEqualTo(UBL_EXPECTED);
        }

        @Test
        void trailingTimeZoneOnAUblDateIsAccepted() {
            InvoiceData invoice = InvoiceSamples.invoice(
                    UBL_INVOICE,
                    "<cbc:IssueDate>2024-03-15</cbc:IssueDate>",
                    "<cbc:IssueDate>2024-03-15+01:00</cbc:IssueDate>");

            assertThat(invoice.issueDate()).isEqualTo(LocalDate.of(2024, 3, 15));
        }
    }

    @Nested
    class PdfWithoutXml {

        @Test
        void needsManualEntryWithOverallZero() {
            Extraction extraction = reader.read(InvoiceSamples.plainPdf());

            assertThat(extraction.format()).isEqualTo(Format.PDF);
            assertThat(extraction.invoice()).isNull();
            assertThat(extraction.needsManualEntry()).isTrue();
            assertThat(extraction.confidence()).isEqualTo(Map.of("overall", 0.0));
            assertThat(extraction.fieldsJson()).isEmpty();
            assertThat(extraction.confidenceJson().getJsonNumber("overall").doubleValue())
                    .isZero();
        }

        @Test
        void otherAttachmentsAreNotTakenForTheInvoice() {
            byte[] pdf = InvoiceSamples.pdfWithAttachment(
                    InvoiceSamples.bytes(CII), "delivery-note.xml", AttachedAs.EMBEDDED_FILES);

            Extraction extraction = reader.read(pdf);

            assertThat(extraction.format()).isEqualTo(Format.PDF);
            assertThat(extraction.needsManualEntry()).isTrue();
        }
    }

    @Nested
    class Unsupported {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"invoiceNumber\": \"INV-1\", \"total\": 12.50}",
                    "Invoice INV-1\nTotal: 12.50 EUR\n",
                    "<?xml version=\"1.0\"?><Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>",
                    "<Invoice><ID>1</ID></Invoice>",
                    "<html><body><p>Invoice</p></body></html>",
                    "PK\u0003\u0004 a zip file"
                })
        void isRefusedAs415(String document) {
            assertThatThrownBy(() -> reader.read(document.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(UnsupportedDocumentException.class);
        }

        @Test
        void randomBytes() {
            byte[] bytes = new byte[4096];
            new Random(42).nextBytes(bytes);
            bytes[0] = 0x13;

            assertThatThrownBy(() -> reader.read(bytes)).isInstanceOf(UnsupportedDocumentException.class);
        }

        @Test
        void empty() {
            assertThatThrownBy(() -> reader.read(new byte[0])).isInstanceOf(UnsupportedDocumentException.class);
        }

        @Test
        void unknownRootNamesTheRoot() {
            assertThatThrownBy(
                            () -> reader.read("<Order xmlns=\"urn:example:order\"/>".getBytes(StandardCharsets.UTF_8)))
                    .hasMessageContaining("{urn:example:order}Order");
        }
    }

    @Nested
    class Malformed {

        @Test
        void truncatedXmlIs422WithAOneLineReason() {
            String xml = InvoiceSamples.text(UBL_INVOICE);
            byte[] truncated = xml.substring(0, xml.length() / 2).getBytes(StandardCharsets.UTF_8);

            assertThatThrownBy(() -> reader.read(truncated))
                    .isInstanceOf(MalformedDocumentException.class)
                    .hasMessageStartingWith("XML is not well-formed at line")
                    .message()
                    .doesNotContain("\n")
                    .doesNotContain("/work")
                    .doesNotContain("Exception");
        }

        @Test
        void truncatedXmlInsideAPdfSaysWhere() {
            String xml = InvoiceSamples.text(CII);
            byte[] pdf = InvoiceSamples.pdfWithAttachment(
                    xml.substring(0, 500).getBytes(StandardCharsets.UTF_8), "factur-x.xml", AttachedAs.EMBEDDED_FILES);

            assertThatThrownBy(() -> reader.read(pdf))
                    .isInstanceOf(MalformedDocumentException.class)
                    .hasMessageStartingWith("embedded factur-x.xml: XML is not well-formed");
        }

        @Test
        void brokenPdfIs422() {
            byte[] pdf = InvoiceSamples.plainPdf();
            byte[] truncated = Arrays.copyOf(pdf, 40);

            assertThatThrownBy(() -> reader.read(truncated))
                    .isInstanceOf(MalformedDocumentException.class)
                    .hasMessageStartingWith("PDF could not be read");
        }

        @Test
        void malformedAmountKeepsTheDocumentAndScoresTheFieldZero() {
            Extraction extraction = reader.read(InvoiceSamples.mutated(
                            UBL_INVOICE,
                            "<cbc:PayableAmount currencyID=\"EUR\">1696.00",
                            "<cbc:PayableAmount currencyID=\"EUR\">12,3x")
                    .getBytes(StandardCharsets.UTF_8));

            assertThat(extraction.invoice().amountDue()).isNull();
            assertThat(extraction.invoice().totalWithVat()).isEqualTo(d("1795.63"));
            assertThat(extraction.confidence()).containsEntry("amountDue", 0.0).containsEntry("totalWithVat", 1.0);
            assertThat(extraction.confidence().get("overall")).isLessThan(1.0).isGreaterThan(0.9);
            assertThat(extraction.fieldsJson()).doesNotContainKey("amountDue");
        }

        @Test
        void impossibleDateIsLeftOutAndScoredZero() {
            Extraction extraction = reader.read(
                    InvoiceSamples.mutated(UBL_INVOICE, "<cbc:IssueDate>2024-03-15", "<cbc:IssueDate>2024-13-45")
                            .getBytes(StandardCharsets.UTF_8));

            assertThat(extraction.invoice().issueDate()).isNull();
            assertThat(extraction.confidence()).containsEntry("issueDate", 0.0);
        }

        @Test
        void ciiDateInTheWrongFormatIsScoredZero() {
            Extraction extraction = reader.read(InvoiceSamples.mutated(
                            CII,
                            "<udt:DateTimeString format=\"102\">20240320",
                            "<udt:DateTimeString format=\"102\">2024-03-20")
                    .getBytes(StandardCharsets.UTF_8));

            assertThat(extraction.invoice().issueDate()).isNull();
            assertThat(extraction.confidence()).containsEntry("issueDate", 0.0);
        }

        @Test
        void malformedLineValueScoresTheLinesZero() {
            Extraction extraction = reader.read(InvoiceSamples.mutated(
                            CII,
                            "<ram:ChargeAmount>49.90</ram:ChargeAmount>",
                            "<ram:ChargeAmount>49.9O</ram:ChargeAmount>")
                    .getBytes(StandardCharsets.UTF_8));

            assertThat(extraction.invoice().lines().get(0).netPrice()).isNull();
            assertThat(extraction.invoice().lines().get(1).netPrice()).isEqualTo(d("12.00"));
            assertThat(extraction.confidence()).containsEntry("lines", 0.0);
        }

        @Test
        void missingMandatoryFieldIsScoredZero() {
            Extraction extraction =
                    reader.read(InvoiceSamples.mutated(CII, "<ram:Name>Landratsamt Beispielkreis</ram:Name>", "")
                            .getBytes(StandardCharsets.UTF_8));

            assertThat(extraction.invoice().buyerName()).isNull();
            assertThat(extraction.confidence()).containsEntry("buyerName", 0.0);
        }
    }
}
