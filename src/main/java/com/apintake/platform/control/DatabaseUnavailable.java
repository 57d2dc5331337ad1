package com.apintake.platform.control;

import jakarta.ejb.ApplicationException;

/** The database could not be reached, or no pooled connection was free in time: a 503 the client may retry. */
@ApplicationException
public class DatabaseUnavailable extends RuntimeException {

    public DatabaseUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
