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
    PDF;

    /**
     * The media type the document is served as: what was detected, never what the uploader declared
     * (a declared text/html would make a browser run a script embedded in the XML).
     */
    public String mediaType() {
        return this == UBL || this == CII ? "application/xml" : "application/pdf";
    }

    /**
     * Whether a document of this format may arrive declared as this content type: an XML type only
     * for XML formats, application/pdf only for PDFs; any other (or no) declaration leaves it to detection.
     */
    public boolean fitsDeclared(String contentType) {
        String declared =
                contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        return switch (declared) {
            case "application/xml", "text/xml" -> mediaType().equals("application/xml");
            case "application/pdf" -> mediaType().equals("application/pdf");
            default -> true;
        };
    }
}
