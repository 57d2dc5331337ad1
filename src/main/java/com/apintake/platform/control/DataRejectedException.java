package com.apintake.platform.control;

/**
 * PostgreSQL refused a value (SQLSTATE class 22: out of range, too long, invalid date; or a CHECK
 * constraint). The transaction rolled back, nothing was stored. Controls that know which field was
 * at fault check it before writing and say so; this is the net below them (HTTP 422).
 */
public class DataRejectedException extends RuntimeException {

    public DataRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
