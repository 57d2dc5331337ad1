package com.apintake.platform.boundary;

import com.apintake.platform.control.Refused;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A control's {@link Refused} as application/problem+json; an unavailable database with Retry-After. */
@Provider
public class RefusedMapper implements ExceptionMapper<Refused> {

    static final String RETRY_AFTER_SECONDS = "30";

    @Override
    public Response toResponse(Refused refused) {
        Response problem = Problem.response(status(refused.reason().status), null, refused.getMessage());
        return refused.reason() == Refused.Reason.UNAVAILABLE
                ? Response.fromResponse(problem)
                        .header("Retry-After", RETRY_AFTER_SECONDS)
                        .build()
                : problem;
    }

    /** Jakarta REST 3.1 has no constant for 422. */
    static Response.StatusType status(int code) {
        Response.Status known = Response.Status.fromStatusCode(code);
        if (known != null) {
            return known;
        }
        return new Response.StatusType() {
            @Override
            public int getStatusCode() {
                return code;
            }

            @Override
            public Response.Status.Family getFamily() {
                return Response.Status.Family.familyOf(code);
            }

            @Override
            public String getReasonPhrase() {
                return code == 422 ? "Unprocessable Content" : "Error";
            }
        };
    }
}
