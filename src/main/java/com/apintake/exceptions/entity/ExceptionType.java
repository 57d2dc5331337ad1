package com.apintake.exceptions.entity;

/** Why an invoice is held for a person. Stored by name in exceptions.type. */
public enum ExceptionType {
    /** The seller matches no vendor master row: someone must create or link the vendor. */
    UNKNOWN_VENDOR,
    /** The IBAN on the invoice differs from the vendor master: the classic payment-diversion fraud, held until verified by phone. */
    BANK_ACCOUNT_CHANGE,
    /** Same vendor, number, date, amount and currency as an earlier invoice in another file. */
    SUSPECTED_DUPLICATE,
    /** Extraction confidence below the configured threshold: check the fields against the document. */
    LOW_CONFIDENCE,
    /** One or more EN 16931 rules failed (arithmetic or mandatory content). */
    VALIDATION_FAILED,
    /** A PDF without machine-readable XML: the fields must be entered by hand. */
    NEEDS_MANUAL_ENTRY
}
