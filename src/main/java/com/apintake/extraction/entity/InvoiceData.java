package com.apintake.extraction.entity;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The business terms of EN 16931 that accounts payable works with, as read from one invoice or
 * credit note. Amounts are exactly as written in the document (their scale included); a value that
 * is absent or could not be read is null, a list without entries is empty.
 *
 * <p>The last four components were added after the first contract because the validation rules
 * need them: the postal addresses (BR-08, BR-10) are represented by their country codes, which
 * EN 16931 makes mandatory inside every address (BR-09, BR-11); the legal registration identifier
 * is one of the three ways BR-CO-26 accepts to identify the seller; the specification identifier
 * is what BR-01 asks for.
 *
 * @param sellerCountryCode seller country code (BT-40), ISO 3166-1 alpha-2
 * @param buyerCountryCode buyer country code (BT-55), ISO 3166-1 alpha-2
 * @param sellerLegalRegistrationId seller legal registration identifier (BT-30), e.g. a trade
 *     register number
 * @param specificationIdentifier specification identifier (BT-24), UBL CustomizationID or CII
 *     GuidelineSpecifiedDocumentContextParameter
 */
public record InvoiceData(
        String invoiceNumber,
        String typeCode,
        LocalDate issueDate,
        LocalDate dueDate,
        String paymentTerms,
        String currency,
        String buyerReference,
        String purchaseOrderReference,
        String sellerName,
        String sellerVatId,
        List<String> sellerIdentifiers,
        String sellerIban,
        String buyerName,
        BigDecimal sumOfLineNetAmounts,
        BigDecimal sumOfAllowances,
        BigDecimal sumOfCharges,
        BigDecimal totalWithoutVat,
        BigDecimal totalVat,
        BigDecimal totalWithVat,
        BigDecimal paidAmount,
        BigDecimal roundingAmount,
        BigDecimal amountDue,
        List<Line> lines,
        List<VatBreakdown> vatBreakdown,
        List<AllowanceCharge> allowancesAndCharges,
        boolean creditNote,
        String sellerCountryCode,
        String buyerCountryCode,
        String sellerLegalRegistrationId,
        String specificationIdentifier) {

    public InvoiceData {
        sellerIdentifiers = sellerIdentifiers == null ? List.of() : List.copyOf(sellerIdentifiers);
        lines = lines == null ? List.of() : List.copyOf(lines);
        vatBreakdown = vatBreakdown == null ? List.of() : List.copyOf(vatBreakdown);
        allowancesAndCharges = allowancesAndCharges == null ? List.of() : List.copyOf(allowancesAndCharges);
    }
}
