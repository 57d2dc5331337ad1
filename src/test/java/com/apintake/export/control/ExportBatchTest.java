package com.apintake.export.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExportBatchTest {

    @Test
    void csvQuotesWhatNeedsQuotingAndNeutralisesFormulas() {
        assertThat(ExportBatch.csvField(null)).isEmpty();
        assertThat(ExportBatch.csvField(new BigDecimal("1234.50"))).isEqualTo("1234.50");
        assertThat(ExportBatch.csvField(new BigDecimal("-5.00"))).isEqualTo("-5.00");
        assertThat(ExportBatch.csvField("Müller, Söhne")).isEqualTo("\"Müller, Söhne\"");
        assertThat(ExportBatch.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(ExportBatch.csvField("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
    }

    @Test
    void oneLinePerInvoiceUnderTheDocumentedHeader() {
        Object[] row = {
            1L,
            42L,
            "INV-1",
            7L,
            "ACME",
            "DE123456789",
            "2024-03-15",
            null,
            "EUR",
            new BigDecimal("100.00"),
            new BigDecimal("19.00"),
            new BigDecimal("119.00"),
            new BigDecimal("119.00"),
            "ab"
        };
        String csv = ExportBatch.csv("B1", List.<Object[]>of(row));
        assertThat(csv.split("\r\n"))
                .containsExactly(
                        String.join(",", ExportBatch.COLUMNS),
                        "B1,42,INV-1,7,ACME,DE123456789,2024-03-15,,EUR,100.00,19.00,119.00,119.00,ab");
        assertThat(ExportBatch.json("B1", List.<Object[]>of(row)))
                .contains("\"invoice_id\":42")
                .contains("\"total_gross\":\"119.00\"")
                .contains("\"due_date\":null");
    }
}
