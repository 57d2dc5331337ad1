package com.apintake.extraction.entity;

/**
 * The syntax an invoice arrived in, detected from the document's own bytes rather than the declared
 * content type, which uploaders and mail clients often get wrong.
 */
public enum Format {
    /** OASIS UBL 2.1 Invoice or CreditNote (Peppol BIS, XRechnung UBL). */
    UBL,
    /** UN/CEFACT Cross Industry Invoice D16B (XRechnung CII, ZUGFeRD/Factur-X XML on its own). */
    CII,
    /** A PDF carrying a Factur-X/ZUGFeRD XML as an embedded file; the fields come from that XML. */
    FACTURX,
    /** A PDF without machine-readable invoice data: a person has to key it in. */
    PDF
}
