package com.apintake.extraction.control;

import static com.apintake.extraction.control.FieldReader.Presence.MANDATORY;
import static com.apintake.extraction.control.FieldReader.Presence.OPTIONAL;

import com.apintake.extraction.entity.AllowanceCharge;
import com.apintake.extraction.entity.Extraction;
import com.apintake.extraction.entity.Format;
import com.apintake.extraction.entity.InvoiceData;
import com.apintake.extraction.entity.Line;
import com.apintake.extraction.entity.VatBreakdown;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Maps a UBL 2.1 Invoice or CreditNote to EN 16931 business terms, following the UBL syntax binding
 * of EN 16931-3-2. The two document types differ only in a few element names (InvoiceTypeCode vs
 * CreditNoteTypeCode, InvoiceLine vs CreditNoteLine, InvoicedQuantity vs CreditedQuantity), so one
 * reader handles both.
 */
final class UblReader {

    static final String INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    static final String CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

    private static final Map<String, String> NAMESPACES = Map.of(
            "cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
            "cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2");

    Extraction read(Document document) {
        Element root = document.getDocumentElement();
        boolean creditNote = "CreditNote".equals(root.getLocalName());
        String kind = creditNote ? "CreditNote" : "Invoice";
        FieldReader in = new FieldReader(NAMESPACES);

        String specification = in.text("specificationIdentifier", root, "cbc:CustomizationID", OPTIONAL);
        String number = in.text("invoiceNumber", root, "cbc:ID", MANDATORY);
        String typeCode = in.text("typeCode", root, "cbc:" + kind + "TypeCode", MANDATORY);
        LocalDate issueDate = in.isoDate("issueDate", root, "cbc:IssueDate", MANDATORY);
        // An Invoice carries BT-9 in cbc:DueDate; a CreditNote has no such element and uses PaymentMeans.
        String dueDatePath =
                in.raw(root, "cbc:DueDate") != null ? "cbc:DueDate" : "cac:PaymentMeans/cbc:PaymentDueDate";
        LocalDate dueDate = in.isoDate("dueDate", root, dueDatePath, OPTIONAL);
        String paymentTerms = in.text("paymentTerms", root, "cac:PaymentTerms/cbc:Note", OPTIONAL);
        String currency = in.text("currency", root, "cbc:DocumentCurrencyCode", MANDATORY);
        String buyerReference = in.text("buyerReference", root, "cbc:BuyerReference", OPTIONAL);
        String orderReference = in.text("purchaseOrderReference", root, "cac:OrderReference/cbc:ID", OPTIONAL);

        Node seller = in.node(root, "cac:AccountingSupplierParty/cac:Party");
        String sellerName = partyName(in, "sellerName", seller);
        String sellerVatId = in.text(
                "sellerVatId", seller, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", OPTIONAL);
        List<String> sellerIdentifiers = in.raws(seller, "cac:PartyIdentification/cbc:ID");
        in.scoreList("sellerIdentifiers", sellerIdentifiers);
        String sellerRegistration =
                in.text("sellerLegalRegistrationId", seller, "cac:PartyLegalEntity/cbc:CompanyID", OPTIONAL);
        String sellerCountry =
                in.text("sellerCountryCode", seller, "cac:PostalAddress/cac:Country/cbc:IdentificationCode", OPTIONAL);
        String iban = in.text("sellerIban", root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", OPTIONAL);

        Node buyer = in.node(root, "cac:AccountingCustomerParty/cac:Party");
        String buyerName = partyName(in, "buyerName", buyer);
        String buyerCountry =
                in.text("buyerCountryCode", buyer, "cac:PostalAddress/cac:Country/cbc:IdentificationCode", OPTIONAL);

        Node totals = in.node(root, "cac:LegalMonetaryTotal");
        BigDecimal lineTotal = in.decimal("sumOfLineNetAmounts", totals, "cbc:LineExtensionAmount", OPTIONAL);
        BigDecimal allowanceTotal = in.decimal("sumOfAllowances", totals, "cbc:AllowanceTotalAmount", OPTIONAL);
        BigDecimal chargeTotal = in.decimal("sumOfCharges", totals, "cbc:ChargeTotalAmount", OPTIONAL);
        BigDecimal withoutVat = in.decimal("totalWithoutVat", totals, "cbc:TaxExclusiveAmount", MANDATORY);
        BigDecimal withVat = in.decimal("totalWithVat", totals, "cbc:TaxInclusiveAmount", MANDATORY);
        BigDecimal paid = in.decimal("paidAmount", totals, "cbc:PrepaidAmount", OPTIONAL);
        BigDecimal rounding = in.decimal("roundingAmount", totals, "cbc:PayableRoundingAmount", OPTIONAL);
        BigDecimal due = in.decimal("amountDue", totals, "cbc:PayableAmount", MANDATORY);

        Node taxTotal = taxTotalInDocumentCurrency(in, root, currency);
        BigDecimal totalVat = in.decimal("totalVat", taxTotal, "cbc:TaxAmount", OPTIONAL);

        InvoiceData invoice = new InvoiceData(
                number,
                typeCode,
                issueDate,
                dueDate,
                paymentTerms,
                currency,
                buyerReference,
                orderReference,
                sellerName,
                sellerVatId,
                sellerIdentifiers,
                iban,
                buyerName,
                lineTotal,
                allowanceTotal,
                chargeTotal,
                withoutVat,
                totalVat,
                withVat,
                paid,
                rounding,
                due,
                lines(in, root, creditNote),
                vatBreakdown(in, taxTotal),
                allowancesAndCharges(in, root),
                creditNote,
                sellerCountry,
                buyerCountry,
                sellerRegistration,
                specification);
        return new Extraction(Format.UBL, invoice, in.confidence(), false);
    }

    // BT-27/BT-44 is the legal name; documents that only give the trading name still name the party.
    private static String partyName(FieldReader in, String field, Node party) {
        String path = in.raw(party, "cac:PartyLegalEntity/cbc:RegistrationName") != null
                ? "cac:PartyLegalEntity/cbc:RegistrationName"
                : "cac:PartyName/cbc:Name";
        return in.text(field, party, path, MANDATORY);
    }

    /*
     * With a VAT accounting currency (BT-6) UBL carries a second TaxTotal in that currency, without
     * subtotals; BT-110 and the breakdown are the ones in the document currency.
     */
    private static Node taxTotalInDocumentCurrency(FieldReader in, Node root, String currency) {
        if (currency != null) {
            Node match = in.node(root, "cac:TaxTotal[cbc:TaxAmount/@currencyID='" + currency.replace("'", "") + "']");
            if (match != null) {
                return match;
            }
        }
        Node withSubtotals = in.node(root, "cac:TaxTotal[cac:TaxSubtotal]");
        return withSubtotals != null ? withSubtotals : in.node(root, "cac:TaxTotal");
    }

    private static List<Line> lines(FieldReader in, Node root, boolean creditNote) {
        String element = creditNote ? "cac:CreditNoteLine" : "cac:InvoiceLine";
        String quantity = creditNote ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity";
        List<Line> lines = new ArrayList<>();
        for (Node line : in.nodes(root, element)) {
            Node quantityNode = in.node(line, quantity);
            lines.add(new Line(
                    in.text("lines", line, "cbc:ID"),
                    in.decimal("lines", line, quantity),
                    quantityNode == null ? null : FieldReader.attribute(quantityNode, "unitCode"),
                    in.decimal("lines", line, "cac:Price/cbc:PriceAmount"),
                    in.decimal("lines", line, "cac:Price/cbc:BaseQuantity"),
                    in.decimal("lines", line, "cbc:LineExtensionAmount"),
                    in.text("lines", line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                    in.decimal("lines", line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
                    lineSum(in, line, false),
                    lineSum(in, line, true)));
        }
        return lines;
    }

    private static BigDecimal lineSum(FieldReader in, Node line, boolean charges) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Node allowanceCharge : in.nodes(line, "cac:AllowanceCharge")) {
            Boolean charge = in.indicator("lines", allowanceCharge, "cbc:ChargeIndicator");
            BigDecimal amount = in.decimal("lines", allowanceCharge, "cbc:Amount");
            if (charge == null || amount == null) {
                in.markMalformed("lines");
                return null;
            }
            if (charge == charges) {
                sum = sum.add(amount);
            }
        }
        return sum;
    }

    private static List<VatBreakdown> vatBreakdown(FieldReader in, Node taxTotal) {
        List<VatBreakdown> rows = new ArrayList<>();
        if (taxTotal == null) {
            return rows;
        }
        for (Node subtotal : in.nodes(taxTotal, "cac:TaxSubtotal")) {
            rows.add(new VatBreakdown(
                    in.text("vatBreakdown", subtotal, "cac:TaxCategory/cbc:ID"),
                    in.decimal("vatBreakdown", subtotal, "cac:TaxCategory/cbc:Percent"),
                    in.decimal("vatBreakdown", subtotal, "cbc:TaxableAmount"),
                    in.decimal("vatBreakdown", subtotal, "cbc:TaxAmount")));
        }
        return rows;
    }

    private static List<AllowanceCharge> allowancesAndCharges(FieldReader in, Node root) {
        List<AllowanceCharge> result = new ArrayList<>();
        for (Node node : in.nodes(root, "cac:AllowanceCharge")) {
            Boolean charge = in.indicator("allowancesAndCharges", node, "cbc:ChargeIndicator");
            BigDecimal amount = in.decimal("allowancesAndCharges", node, "cbc:Amount");
            if (charge == null) {
                // Without the indicator the amount cannot be counted on either side.
                in.markMalformed("allowancesAndCharges");
                continue;
            }
            result.add(new AllowanceCharge(
                    charge,
                    amount,
                    in.text("allowancesAndCharges", node, "cac:TaxCategory/cbc:ID"),
                    in.decimal("allowancesAndCharges", node, "cac:TaxCategory/cbc:Percent"),
                    in.text("allowancesAndCharges", node, "cbc:AllowanceChargeReason")));
        }
        return result;
    }
}
