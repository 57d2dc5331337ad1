package com.apintake.platform.control;

/**
 * A request a control refuses for a reason the caller can act on. The boundary's mapper
 * (platform/boundary/RefusedMapper) answers it as application/problem+json with the status of its
 * reason; unavailable adds Retry-After. The message is the problem's detail: never SQL text or secrets.
 */
public class Refused extends RuntimeException {

    public enum Reason {
        /** The request itself is wrong (400). */
        INVALID(400),
        /** What it names does not exist (404). */
        NOT_FOUND(404),
        /** It exists, but this action is never done to it (409). */
        CONFLICT(409),
        /** Well-formed, but PostgreSQL could not carry it out as asked (422). */
        UNPROCESSABLE(422),
        /** The database cannot be reached now; retry later (503). */
        UNAVAILABLE(503);

        public final int status;

        Reason(int status) {
            this.status = status;
        }
    }

    private final Reason reason;

    public Refused(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
