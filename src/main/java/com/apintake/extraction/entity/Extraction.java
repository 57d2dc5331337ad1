package com.apintake.extraction.entity;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What extraction made of one uploaded document.
 *
 * <p>Confidence is a score from 0 to 1 per field, keyed like {@link #fieldsJson()}, plus
 * {@code overall}, the mean of the per-field scores present. For XML the score says whether the
 * value was present and well-formed (1.0) or missing where EN 16931 requires it or present but
 * unreadable (0.0); optional fields that are absent are left out. A future OCR engine would put its
 * own confidence per field here instead, so reviewers can sort by it either way.
 *
 * @param format the syntax detected from the document itself
 * @param invoice the extracted business terms; null for a PDF without embedded XML
 * @param confidence per field and {@code overall}, 0..1
 * @param needsManualEntry true when nothing could be read by machine and a person must key it in
 */
public record Extraction(Format format, InvoiceData invoice, Map<String, Double> confidence, boolean needsManualEntry) {

    /** One factory for all builders: Json.create* looks the provider up again on every call. */
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(null);

    public Extraction {
        confidence = confidence == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(confidence));
    }

    /** The extracted fields as JSON: amounts as exact decimal strings, dates as yyyy-MM-dd, absent values omitted, lists always present (possibly empty). */
    public JsonObject fieldsJson() {
        JsonObjectBuilder json = JSON.createObjectBuilder();
        if (invoice == null) {
            return json.build();
        }
        InvoiceData i = invoice;
        put(json, "invoiceNumber", i.invoiceNumber());
        put(json, "typeCode", i.typeCode());
        put(json, "issueDate", i.issueDate());
        put(json, "dueDate", i.dueDate());
        put(json, "paymentTerms", i.paymentTerms());
        put(json, "currency", i.currency());
        put(json, "buyerReference", i.buyerReference());
        put(json, "purchaseOrderReference", i.purchaseOrderReference());
        put(json, "specificationIdentifier", i.specificationIdentifier());
        put(json, "sellerName", i.sellerName());
        put(json, "sellerVatId", i.sellerVatId());
        JsonArrayBuilder ids = JSON.createArrayBuilder();
        i.sellerIdentifiers().forEach(ids::add);
        json.add("sellerIdentifiers", ids);
        put(json, "sellerLegalRegistrationId", i.sellerLegalRegistrationId());
        put(json, "sellerIban", i.sellerIban());
        put(json, "sellerCountryCode", i.sellerCountryCode());
        put(json, "buyerName", i.buyerName());
        put(json, "buyerCountryCode", i.buyerCountryCode());
        put(json, "sumOfLineNetAmounts", i.sumOfLineNetAmounts());
        put(json, "sumOfAllowances", i.sumOfAllowances());
        put(json, "sumOfCharges", i.sumOfCharges());
        put(json, "totalWithoutVat", i.totalWithoutVat());
        put(json, "totalVat", i.totalVat());
        put(json, "totalWithVat", i.totalWithVat());
        put(json, "paidAmount", i.paidAmount());
        put(json, "roundingAmount", i.roundingAmount());
        put(json, "amountDue", i.amountDue());
        json.add("lines", lines(i.lines()));
        json.add("vatBreakdown", vatBreakdown(i.vatBreakdown()));
        return json.build();
    }

    /** {@code {"overall": x, "<field>": y, ...}}. */
    public JsonObject confidenceJson() {
        JsonObjectBuilder json = JSON.createObjectBuilder();
        json.add("overall", confidence.getOrDefault("overall", 0.0));
        confidence.forEach((field, score) -> {
            if (!"overall".equals(field)) {
                json.add(field, score);
            }
        });
        return json.build();
    }

    private static JsonArrayBuilder lines(List<Line> lines) {
        JsonArrayBuilder array = JSON.createArrayBuilder();
        for (Line line : lines) {
            JsonObjectBuilder json = JSON.createObjectBuilder();
            put(json, "id", line.id());
            put(json, "quantity", line.quantity());
            put(json, "unitCode", line.unitCode());
            put(json, "netPrice", line.netPrice());
            put(json, "baseQuantity", line.baseQuantity());
            put(json, "netAmount", line.netAmount());
            put(json, "vatCategory", line.vatCategory());
            put(json, "vatRate", line.vatRate());
            array.add(json);
        }
        return array;
    }

    private static JsonArrayBuilder vatBreakdown(List<VatBreakdown> rows) {
        JsonArrayBuilder array = JSON.createArrayBuilder();
        for (VatBreakdown row : rows) {
            JsonObjectBuilder json = JSON.createObjectBuilder();
            put(json, "category", row.category());
            put(json, "rate", row.rate());
            put(json, "taxableAmount", row.taxableAmount());
            put(json, "taxAmount", row.taxAmount());
            array.add(json);
        }
        return array;
    }

    private static void put(JsonObjectBuilder json, String key, String value) {
        if (value != null) {
            json.add(key, value);
        }
    }

    // Strings, not JSON numbers: a JSON number goes through double in most clients and loses the scale.
    private static void put(JsonObjectBuilder json, String key, BigDecimal value) {
        if (value != null) {
            json.add(key, value.toPlainString());
        }
    }

    private static void put(JsonObjectBuilder json, String key, LocalDate value) {
        if (value != null) {
            json.add(key, value.toString());
        }
    }
}
