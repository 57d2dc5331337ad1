package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * The business terms every invoice must carry, one finding each:
 *
 * <ul>
 *   <li>BR-02: An Invoice shall have an Invoice number (BT-1).
 *   <li>BR-03: An Invoice shall have an Invoice issue date (BT-2).
 *   <li>BR-04: An Invoice shall have an Invoice type code (BT-3).
 *   <li>BR-05: An Invoice shall have an Invoice currency code (BT-5).
 *   <li>BR-06: An Invoice shall contain the Seller name (BT-27).
 *   <li>BR-07: An Invoice shall contain the Buyer name (BT-44).
 *   <li>BR-12: An Invoice shall have the Sum of Invoice line net amount (BT-106).
 *   <li>BR-13: An Invoice shall have the Invoice total amount without VAT (BT-109).
 *   <li>BR-14: An Invoice shall have the Invoice total amount with VAT (BT-112).
 *   <li>BR-15: An Invoice shall have the Amount due for payment (BT-115).
 * </ul>
 *
 * A value that was present but unreadable was left out by extraction, so it fails here too.
 */
@ApplicationScoped
public class MandatoryTerms implements Rule {

    private record Term(String rule, String name, Function<InvoiceData, Object> value) {}

    private static final List<Term> TERMS = List.of(
            new Term("BR-02", "invoice number (BT-1)", InvoiceData::invoiceNumber),
            new Term("BR-03", "invoice issue date (BT-2)", InvoiceData::issueDate),
            new Term("BR-04", "invoice type code (BT-3)", InvoiceData::typeCode),
            new Term("BR-05", "invoice currency code (BT-5)", InvoiceData::currency),
            new Term("BR-06", "seller name (BT-27)", InvoiceData::sellerName),
            new Term("BR-07", "buyer name (BT-44)", InvoiceData::buyerName),
            new Term("BR-12", "sum of invoice line net amount (BT-106)", InvoiceData::sumOfLineNetAmounts),
            new Term("BR-13", "invoice total amount without VAT (BT-109)", InvoiceData::totalWithoutVat),
            new Term("BR-14", "invoice total amount with VAT (BT-112)", InvoiceData::totalWithVat),
            new Term("BR-15", "amount due for payment (BT-115)", InvoiceData::amountDue));

    @Override
    public List<Finding> check(InvoiceData invoice) {
        return TERMS.stream().map(term -> check(term, invoice)).toList();
    }

    private static Finding check(Term term, InvoiceData invoice) {
        Object value = term.value().apply(invoice);
        if (value == null) {
            return Finding.failed(term.rule(), term.name() + " is missing or could not be read");
        }
        String shown = value instanceof BigDecimal amount ? amount.toPlainString() : value.toString();
        return Finding.passed(term.rule(), term.name() + " " + shown);
    }
}
