package com.apintake.platform.control;

/**
 * The database cannot answer now: unreachable, restarting, shutting down, the pool has no
 * connection left within its wait time, or a statement ran past its timeout. Nothing of the
 * request was stored; the same request may succeed a few seconds later (HTTP 503 with Retry-After).
 */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
