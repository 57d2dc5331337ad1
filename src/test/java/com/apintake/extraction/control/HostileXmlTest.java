package com.apintake.extraction.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.testsupport.InvoiceSamples;
import com.apintake.testsupport.InvoiceSamples.AttachedAs;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Uploaded XML that tries to make the parser read local files or expand entities without bound is
 * refused before anything is resolved. The timeouts only keep a regression from hanging the build.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileXmlTest {

    private static final String UBL_OPEN = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\""
            + " xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">";

    private static final String XXE = "<?xml version=\"1.0\"?>\n"
            + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
            + UBL_OPEN + "<cbc:ID>&e;</cbc:ID></Invoice>";

    private static final String BILLION_LAUGHS = "<?xml version=\"1.0\"?>\n"
            + "<!DOCTYPE lolz [\n"
            + " <!ENTITY lol \"lol\">\n"
            + " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
            + " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
            + " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
            + " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
            + " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
            + " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
            + " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
            + " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
            + " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
            + "]>\n"
            + UBL_OPEN + "<cbc:ID>&lol9;</cbc:ID></Invoice>";

    private final InvoiceReader reader = new InvoiceReader();

    @Test
    void externalEntityIsRefusedWithoutReadingTheFile() {
        assertThatThrownBy(() -> reader.read(XXE.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("DTDs are not accepted")
                .message()
                .doesNotContain("root:")
                .doesNotContain("/bin/")
                .doesNotContain("passwd");
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedAndTheLimitItselfIsRead() {
        assertThatThrownBy(() -> reader.read(nested(SecureXmlParser.MAX_ELEMENT_DEPTH + 1)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("nested deeper than 1000 elements");
        // At the limit the document is read (an invoice missing most of its fields).
        assertThat(reader.read(nested(SecureXmlParser.MAX_ELEMENT_DEPTH)).format())
                .isNotNull();
    }

    /** A UBL Invoice root with depth-1 nested elements inside it. */
    private static byte[] nested(int depth) {
        StringBuilder xml = new StringBuilder(UBL_OPEN);
        xml.append("<cbc:Note>".repeat(depth - 1)).append("x").append("</cbc:Note>".repeat(depth - 1));
        return xml.append("</Invoice>").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void billionLaughsIsRefused() {
        assertThatThrownBy(() -> reader.read(BILLION_LAUGHS.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("DTDs are not accepted");
    }

    @Test
    void doctypeBehindALongCommentIsRefusedByTheParserItself() {
        String padded =
                "<?xml version=\"1.0\"?>\n<!--" + "x".repeat(8000) + "-->\n" + XXE.substring(XXE.indexOf('\n') + 1);

        assertThatThrownBy(() -> reader.read(padded.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("DTDs are not accepted")
                .message()
                .doesNotContain("root:");
    }

    @Test
    void doctypeInUtf16IsRefused() {
        byte[] utf16 = XXE.replace("<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
                .getBytes(StandardCharsets.UTF_16);

        assertThatThrownBy(() -> reader.read(utf16))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("DTDs are not accepted");
    }

    @Test
    void externalEntityInsideAFacturXPdfIsRefused() {
        byte[] pdf = InvoiceSamples.pdfWithAttachment(
                XXE.getBytes(StandardCharsets.UTF_8), "factur-x.xml", AttachedAs.EMBEDDED_FILES);

        assertThatThrownBy(() -> reader.read(pdf))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("embedded factur-x.xml: " + SecureXmlParser.DTD_REFUSED);
    }

    @Test
    void xincludeIsNotFollowed() {
        String xml = UBL_OPEN.replace(">", " xmlns:xi=\"http://www.w3.org/2001/XInclude\">")
                + "<cbc:ID><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></cbc:ID></Invoice>";

        String number =
                reader.read(xml.getBytes(StandardCharsets.UTF_8)).invoice().invoiceNumber();

        assertThat(number).isNull();
    }
}
