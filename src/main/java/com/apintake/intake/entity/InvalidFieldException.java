package com.apintake.intake.entity;

/**
 * A field of the invoice holds a value the books cannot take (an amount with 40 digits, a date in
 * the year 30000): the upload is refused with HTTP 422 naming the field, and nothing is stored.
 */
public class InvalidFieldException extends RuntimeException {

    private final String field;

    public InvalidFieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
