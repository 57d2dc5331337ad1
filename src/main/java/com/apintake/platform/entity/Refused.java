package com.apintake.platform.entity;

/**
 * A control's "no" to a request that is well-formed but not allowed, in domain terms; the boundary's
 * mapper (ProblemMappers) turns it into a problem answer. The message is for the caller: no secrets.
 */
public class Refused extends RuntimeException {

    public enum Reason {
        /** The caller may not do this (403). */
        NOT_ALLOWED,
        /** The current state forbids it (409). */
        CONFLICT
    }

    private final Reason reason;

    public Refused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
