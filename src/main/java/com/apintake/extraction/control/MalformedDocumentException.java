package com.apintake.extraction.control;

/**
 * The document claims a format we read but cannot be parsed, or was refused for safety (a DTD)
 * (HTTP 422 at the boundary). The message is one line meant for the uploader: no stack trace, no
 * file paths.
 */
public class MalformedDocumentException extends RuntimeException {

    public MalformedDocumentException(String message) {
        super(message);
    }
}
