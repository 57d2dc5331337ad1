package com.apintake.intake.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.intake.control.Invoices;
import org.junit.jupiter.api.Test;

class DocumentDispositionTest {

    @Test
    void alwaysAnAttachmentWithASafeQuotedNameAndTheFullNameEncoded() {
        var document = new Invoices.Document("application/xml", "Rechnung \"März\"*.html", new byte[0]);
        assertThat(InvoicesResource.attachment(7, document))
                .isEqualTo("attachment; filename=\"Rechnung _M_rz__.html\"; filename*=UTF-8''"
                        + "Rechnung%20%22M%C3%A4rz%22%2A.html");
    }

    @Test
    void aDocumentWithoutANameGetsOneFromItsDetectedType() {
        assertThat(InvoicesResource.attachment(7, new Invoices.Document("application/pdf", null, new byte[0])))
                .startsWith("attachment; filename=\"invoice-7.pdf\"");
        assertThat(InvoicesResource.attachment(8, new Invoices.Document("application/xml", " ", new byte[0])))
                .startsWith("attachment; filename=\"invoice-8.xml\"");
    }
}
