package com.apintake.extraction.control;

/** The document is not an invoice format we read (HTTP 415 at the boundary). */
public class UnsupportedDocumentException extends RuntimeException {

    public UnsupportedDocumentException(String message) {
        super(message);
    }
}
