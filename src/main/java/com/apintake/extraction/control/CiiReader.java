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
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Maps a UN/CEFACT Cross Industry Invoice (D16B, the syntax of XRechnung CII and of the XML inside
 * ZUGFeRD/Factur-X) to EN 16931 business terms, following the CII syntax binding of EN 16931-3-3.
 * CII has one document type for invoices and credit notes; the type code (BT-3) tells them apart.
 */
final class CiiReader {

    static final String NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

    private static final Map<String, String> NAMESPACES = Map.of(
            "rsm", NS,
            "ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
            "udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100");

    // UNTDID 1001 codes EN 16931 counts as credit notes (the rest of its code list are invoices).
    private static final Set<String> CREDIT_NOTE_TYPES =
            Set.of("81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532");

    Extraction read(Document document, Format format) {
        Element root = document.getDocumentElement();
        FieldReader in = new FieldReader(NAMESPACES);

        String specification = in.text(
                "specificationIdentifier",
                root,
                "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
                OPTIONAL);
        Node header = in.node(root, "rsm:ExchangedDocument");
        String number = in.text("invoiceNumber", header, "ram:ID", MANDATORY);
        String typeCode = in.text("typeCode", header, "ram:TypeCode", MANDATORY);
        LocalDate issueDate = in.ciiDate("issueDate", header, "ram:IssueDateTime/udt:DateTimeString", MANDATORY);

        Node transaction = in.node(root, "rsm:SupplyChainTradeTransaction");
        Node agreement = transaction == null ? null : in.node(transaction, "ram:ApplicableHeaderTradeAgreement");
        Node settlement = transaction == null ? null : in.node(transaction, "ram:ApplicableHeaderTradeSettlement");

        String buyerReference = in.text("buyerReference", agreement, "ram:BuyerReference", OPTIONAL);
        String orderReference = in.text(
                "purchaseOrderReference", agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", OPTIONAL);

        Node seller = agreement == null ? null : in.node(agreement, "ram:SellerTradeParty");
        String sellerName = in.text("sellerName", seller, "ram:Name", MANDATORY);
        String sellerVatId =
                in.text("sellerVatId", seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", OPTIONAL);
        List<String> sellerIdentifiers = in.raws(seller, "ram:ID | ram:GlobalID");
        in.scoreList("sellerIdentifiers", sellerIdentifiers);
        String sellerRegistration =
                in.text("sellerLegalRegistrationId", seller, "ram:SpecifiedLegalOrganization/ram:ID", OPTIONAL);
        String sellerCountry = in.text("sellerCountryCode", seller, "ram:PostalTradeAddress/ram:CountryID", OPTIONAL);

        Node buyer = agreement == null ? null : in.node(agreement, "ram:BuyerTradeParty");
        String buyerName = in.text("buyerName", buyer, "ram:Name", MANDATORY);
        String buyerCountry = in.text("buyerCountryCode", buyer, "ram:PostalTradeAddress/ram:CountryID", OPTIONAL);

        String currency = in.text("currency", settlement, "ram:InvoiceCurrencyCode", MANDATORY);
        String iban = in.text(
                "sellerIban",
                settlement,
                "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
                OPTIONAL);
        String paymentTerms =
                in.text("paymentTerms", settlement, "ram:SpecifiedTradePaymentTerms/ram:Description", OPTIONAL);
        LocalDate dueDate = in.ciiDate(
                "dueDate",
                settlement,
                "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
                OPTIONAL);

        Node totals =
                settlement == null ? null : in.node(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation");
        BigDecimal lineTotal = in.decimal("sumOfLineNetAmounts", totals, "ram:LineTotalAmount", OPTIONAL);
        BigDecimal allowanceTotal = in.decimal("sumOfAllowances", totals, "ram:AllowanceTotalAmount", OPTIONAL);
        BigDecimal chargeTotal = in.decimal("sumOfCharges", totals, "ram:ChargeTotalAmount", OPTIONAL);
        BigDecimal withoutVat = in.decimal("totalWithoutVat", totals, "ram:TaxBasisTotalAmount", MANDATORY);
        BigDecimal totalVat = in.decimal("totalVat", totals, taxTotalPath(in, totals, currency), OPTIONAL);
        BigDecimal rounding = in.decimal("roundingAmount", totals, "ram:RoundingAmount", OPTIONAL);
        BigDecimal withVat = in.decimal("totalWithVat", totals, "ram:GrandTotalAmount", MANDATORY);
        BigDecimal paid = in.decimal("paidAmount", totals, "ram:TotalPrepaidAmount", OPTIONAL);
        BigDecimal due = in.decimal("amountDue", totals, "ram:DuePayableAmount", MANDATORY);

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
                transaction == null ? List.of() : lines(in, transaction),
                settlement == null ? List.of() : vatBreakdown(in, settlement),
                settlement == null ? List.of() : allowancesAndCharges(in, settlement),
                typeCode != null && CREDIT_NOTE_TYPES.contains(typeCode),
                sellerCountry,
                buyerCountry,
                sellerRegistration,
                specification);
        return new Extraction(format, invoice, in.confidence(), false);
    }

    /*
     * With a VAT accounting currency (BT-6) there are two TaxTotalAmount elements told apart by
     * currencyID; BT-110 is the one in the invoice currency.
     */
    private static String taxTotalPath(FieldReader in, Node totals, String currency) {
        if (totals != null && currency != null) {
            String path = "ram:TaxTotalAmount[@currencyID='" + currency.replace("'", "") + "']";
            if (in.node(totals, path) != null) {
                return path;
            }
        }
        return "ram:TaxTotalAmount";
    }

    private static List<Line> lines(FieldReader in, Node transaction) {
        List<Line> lines = new ArrayList<>();
        for (Node item : in.nodes(transaction, "ram:IncludedSupplyChainTradeLineItem")) {
            Node price = in.node(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice");
            Node quantity = in.node(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity");
            Node lineSettlement = in.node(item, "ram:SpecifiedLineTradeSettlement");
            lines.add(new Line(
                    in.text("lines", item, "ram:AssociatedDocumentLineDocument/ram:LineID"),
                    in.decimal("lines", item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
                    quantity == null ? null : FieldReader.attribute(quantity, "unitCode"),
                    in.decimal("lines", price, "ram:ChargeAmount"),
                    in.decimal("lines", price, "ram:BasisQuantity"),
                    in.decimal(
                            "lines",
                            lineSettlement,
                            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
                    in.text("lines", lineSettlement, "ram:ApplicableTradeTax/ram:CategoryCode"),
                    in.decimal("lines", lineSettlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
                    lineSum(in, lineSettlement, false),
                    lineSum(in, lineSettlement, true)));
        }
        return lines;
    }

    private static BigDecimal lineSum(FieldReader in, Node lineSettlement, boolean charges) {
        BigDecimal sum = BigDecimal.ZERO;
        if (lineSettlement == null) {
            return sum;
        }
        for (Node allowanceCharge : in.nodes(lineSettlement, "ram:SpecifiedTradeAllowanceCharge")) {
            Boolean charge = in.indicator("lines", allowanceCharge, "ram:ChargeIndicator/udt:Indicator");
            BigDecimal amount = in.decimal("lines", allowanceCharge, "ram:ActualAmount");
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

    private static List<VatBreakdown> vatBreakdown(FieldReader in, Node settlement) {
        List<VatBreakdown> rows = new ArrayList<>();
        for (Node tax : in.nodes(settlement, "ram:ApplicableTradeTax")) {
            rows.add(new VatBreakdown(
                    in.text("vatBreakdown", tax, "ram:CategoryCode"),
                    in.decimal("vatBreakdown", tax, "ram:RateApplicablePercent"),
                    in.decimal("vatBreakdown", tax, "ram:BasisAmount"),
                    in.decimal("vatBreakdown", tax, "ram:CalculatedAmount")));
        }
        return rows;
    }

    private static List<AllowanceCharge> allowancesAndCharges(FieldReader in, Node settlement) {
        List<AllowanceCharge> result = new ArrayList<>();
        for (Node node : in.nodes(settlement, "ram:SpecifiedTradeAllowanceCharge")) {
            Boolean charge = in.indicator("allowancesAndCharges", node, "ram:ChargeIndicator/udt:Indicator");
            BigDecimal amount = in.decimal("allowancesAndCharges", node, "ram:ActualAmount");
            if (charge == null) {
                // Without the indicator the amount cannot be counted on either side.
                in.markMalformed("allowancesAndCharges");
                continue;
            }
            result.add(new AllowanceCharge(
                    charge,
                    amount,
                    in.text("allowancesAndCharges", node, "ram:CategoryTradeTax/ram:CategoryCode"),
                    in.decimal("allowancesAndCharges", node, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
                    in.text("allowancesAndCharges", node, "ram:Reason")));
        }
        return result;
    }
}
