package com.apintake.intake.control;

/** An invoice with open exceptions cannot be approved: HTTP 409 at the boundary. */
public class HeldByExceptionsException extends RuntimeException {

    public HeldByExceptionsException(long invoiceId, int open) {
        super("Invoice " + invoiceId + " has " + open + " open exception(s): resolve them before approving.");
    }
}
