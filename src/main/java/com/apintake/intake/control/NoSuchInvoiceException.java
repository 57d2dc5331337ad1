package com.apintake.intake.control;

/** The invoice a move names does not exist (or the caller may not see it): HTTP 404 at the boundary. */
public class NoSuchInvoiceException extends RuntimeException {

    public NoSuchInvoiceException(long invoiceId) {
        super("No invoice " + invoiceId + ".");
    }
}
