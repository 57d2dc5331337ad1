package com.apintake.intake.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.exceptions.entity.ExceptionType;
import com.apintake.extraction.control.InvoiceReader;
import com.apintake.extraction.entity.Extraction;
import com.apintake.testsupport.InvoiceSamples;
import com.apintake.validation.entity.Finding;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invoice's own decisions, on a real extraction of the UBL sample. */
class InvoiceTest {

    private static final InvoiceReader READER = new InvoiceReader();

    private static Extraction read(String from, String to) {
        String xml = InvoiceSamples.text(InvoiceSamples.UBL_INVOICE).replace(from, to);
        return READER.read(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static Invoice received(Extraction extraction) {
        return Invoice.received("ab".repeat(32), "a.xml", "application/xml", 100, extraction);
    }

    @Test
    void nothingFailedGoesStraightToApproval() {
        Invoice invoice = received(read("", ""));
        assertThat(invoice.status()).isEqualTo(WorkflowStatus.RECEIVED);
        invoice.judge(
                List.of(Finding.passed("BR-01", "ok")),
                List.of(Finding.passed("AP-VENDOR-MATCH", "Vendor 3"), Finding.passed("AP-CONFIDENCE", "1.0")),
                3L,
                null);
        assertThat(invoice.status()).isEqualTo(WorkflowStatus.PENDING_APPROVAL);
        assertThat(invoice.raised()).isEmpty();
        assertThat(invoice.findings())
                .extracting(Finding::rule)
                .containsExactly("BR-01", "AP-VENDOR-MATCH", "AP-CONFIDENCE");
        var view = invoice.view(9, null, null);
        assertThat(view.vendorId()).isEqualTo(3L);
        assertThat(view.totalGross()).isEqualByComparingTo("1795.63");
        assertThat(view.openExceptions()).isZero();
    }

    @Test
    void eachFailedApRuleRaisesItsExceptionAndFailedStandardRulesOneTogether() {
        Invoice invoice = received(read("", ""));
        invoice.judge(
                List.of(
                        Finding.failed("BR-CO-15", "sum"),
                        Finding.failed("BR-CO-16", "due"),
                        new Finding("BR-CL-04", false, "warning only", Finding.WARNING, "/x", "EN16931")),
                List.of(
                        Finding.failed("AP-VENDOR-MATCH", "no"),
                        Finding.failed("AP-CONFIDENCE", "Extraction confidence 0.500, threshold 0.800.")),
                null,
                null);
        assertThat(invoice.status()).isEqualTo(WorkflowStatus.EXCEPTIONS_FOUND);
        assertThat(invoice.raised())
                .extracting(Invoice.Raised::type)
                .containsExactly(
                        ExceptionType.UNKNOWN_VENDOR, ExceptionType.LOW_CONFIDENCE, ExceptionType.VALIDATION_FAILED);
        assertThat(invoice.raised().get(2).detail())
                .contains("BR-CO-15, BR-CO-16")
                .doesNotContain("BR-CL-04");
    }

    @Test
    void anEarlierCopyMakesItASuspectedDuplicate() {
        Invoice invoice = received(read("", ""));
        invoice.judge(List.of(), List.of(Finding.failed("AP-DUPLICATE", "same as 4")), 3L, 4L);
        assertThat(invoice.status()).isEqualTo(WorkflowStatus.SUSPECTED_DUPLICATE);
        assertThat(invoice.raised()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ExceptionType.SUSPECTED_DUPLICATE);
            assertThat(r.detail()).contains("Repeats invoice 4", "1795.63 EUR");
        });
        assertThat(invoice.view(5, null, null).duplicateOf()).isEqualTo(4L);
    }

    @Test
    void aFortyDigitAmountIsRefusedNamingTheField() {
        Extraction huge =
                read("1795.63</cbc:TaxInclusiveAmount>", "1" + "0".repeat(39) + ".00</cbc:TaxInclusiveAmount>");
        assertThatThrownBy(() -> received(huge))
                .isInstanceOfSatisfying(
                        InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("totalWithVat (BT-112)"))
                .hasMessageContaining("40 digits");
        Extraction largest = read("1795.63</cbc:TaxInclusiveAmount>", "9".repeat(17) + ".99</cbc:TaxInclusiveAmount>");
        assertThat(received(largest).data().totalWithVat()).isNotNull();
    }

    @Test
    void aDateOutsideFourDigitYearsIsRefusedNamingTheField() {
        Extraction far = read("<cbc:DueDate>2024-04-14", "<cbc:DueDate>+12024-04-14");
        if (far.invoice().dueDate() != null) {
            assertThatThrownBy(() -> received(far))
                    .isInstanceOfSatisfying(
                            InvalidFieldException.class,
                            e -> assertThat(e.field()).isEqualTo("dueDate (BT-9)"));
        }
        Extraction early = read("<cbc:DueDate>2024-04-14", "<cbc:DueDate>0999-04-14");
        assertThatThrownBy(() -> received(early))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("dueDate (BT-9)");
    }
}
