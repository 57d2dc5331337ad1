package com.apintake.extraction.entity;

import static com.apintake.testsupport.InvoiceSamples.CII;
import static com.apintake.testsupport.InvoiceSamples.UBL_INVOICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.extraction.control.InvoiceReader;
import com.apintake.testsupport.InvoiceSamples;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExtractionTest {

    private final InvoiceReader reader = new InvoiceReader();

    @Test
    void fieldsJsonUsesTheAgreedKeysAndExactDecimalStrings() {
        JsonObject fields = reader.read(InvoiceSamples.bytes(UBL_INVOICE)).fieldsJson();

        assertThat(fields.keySet())
                .containsExactlyInAnyOrder(
                        "invoiceNumber",
                        "typeCode",
                        "issueDate",
                        "dueDate",
                        "paymentTerms",
                        "currency",
                        "buyerReference",
                        "purchaseOrderReference",
                        "specificationIdentifier",
                        "sellerName",
                        "sellerVatId",
                        "sellerIdentifiers",
                        "sellerLegalRegistrationId",
                        "sellerIban",
                        "sellerCountryCode",
                        "buyerName",
                        "buyerCountryCode",
                        "sumOfLineNetAmounts",
                        "sumOfAllowances",
                        "sumOfCharges",
                        "totalWithoutVat",
                        "totalVat",
                        "totalWithVat",
                        "paidAmount",
                        "roundingAmount",
                        "amountDue",
                        "lines",
                        "vatBreakdown");
        assertThat(fields.getString("invoiceNumber")).isEqualTo("INV-2024-0042");
        assertThat(fields.getString("issueDate")).isEqualTo("2024-03-15");
        assertThat(fields.getString("dueDate")).isEqualTo("2024-04-14");
        assertThat(fields.getString("totalWithoutVat")).isEqualTo("1547.50");
        assertThat(fields.getString("amountDue")).isEqualTo("1696.00");
        assertThat(fields.getString("roundingAmount")).isEqualTo("0.37");
        assertThat(fields.getJsonArray("sellerIdentifiers").getValuesAs(JsonString::getString))
                .containsExactly("4000001000005", "SUP-778");

        JsonArray lines = fields.getJsonArray("lines");
        assertThat(lines).hasSize(3);
        assertThat(lines.getJsonObject(0).keySet())
                .containsExactlyInAnyOrder(
                        "id", "quantity", "unitCode", "netPrice", "netAmount", "vatCategory", "vatRate");
        assertThat(lines.getJsonObject(2).getString("baseQuantity")).isEqualTo("10");
        assertThat(lines.getJsonObject(2).getString("netPrice")).isEqualTo("2.50");
        assertThat(lines.getJsonObject(1).getString("netAmount")).isEqualTo("320.00");

        JsonObject vat = fields.getJsonArray("vatBreakdown").getJsonObject(1);
        assertThat(vat.getString("category")).isEqualTo("S");
        assertThat(vat.getString("rate")).isEqualTo("7");
        assertThat(vat.getString("taxableAmount")).isEqualTo("382.50");
        assertThat(vat.getString("taxAmount")).isEqualTo("26.78");
    }

    @Test
    void amountsKeepTheDocumentsScale() {
        String xml = InvoiceSamples.mutated(
                UBL_INVOICE,
                "<cbc:TaxExclusiveAmount currencyID=\"EUR\">1547.50",
                "<cbc:TaxExclusiveAmount currencyID=\"EUR\">1234.50",
                "<cbc:PrepaidAmount currencyID=\"EUR\">100.00",
                "<cbc:PrepaidAmount currencyID=\"EUR\">100.000");

        JsonObject fields = reader.read(xml.getBytes(StandardCharsets.UTF_8)).fieldsJson();

        assertThat(fields.getString("totalWithoutVat")).isEqualTo("1234.50");
        assertThat(fields.getString("paidAmount")).isEqualTo("100.000");
    }

    @Test
    void absentValuesAreOmitted() {
        JsonObject fields = reader.read(InvoiceSamples.bytes(CII)).fieldsJson();

        assertThat(fields).doesNotContainKey("roundingAmount");
        assertThat(fields.getString("paidAmount")).isEqualTo("0.00");
        assertThat(fields.getJsonArray("lines").getJsonObject(1)).doesNotContainKey("baseQuantity");
    }

    @Test
    void confidenceJsonStartsWithOverall() {
        String xml = InvoiceSamples.mutated(
                UBL_INVOICE,
                "<cbc:PayableAmount currencyID=\"EUR\">1696.00",
                "<cbc:PayableAmount currencyID=\"EUR\">n/a");

        JsonObject confidence =
                reader.read(xml.getBytes(StandardCharsets.UTF_8)).confidenceJson();

        assertThat(confidence.keySet().iterator().next()).isEqualTo("overall");
        assertThat(confidence.getJsonNumber("amountDue").doubleValue()).isZero();
        assertThat(confidence.getJsonNumber("invoiceNumber").doubleValue()).isEqualTo(1.0);
        assertThat(confidence.getJsonNumber("overall").doubleValue()).isBetween(0.9, 1.0);
    }
}
