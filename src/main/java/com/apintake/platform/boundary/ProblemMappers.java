package com.apintake.platform.boundary;

import com.apintake.platform.control.Unavailability;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns every error that leaves a resource into application/problem+json. */
public final class ProblemMappers {

    private ProblemMappers() {}

    /** Errors the application raised on purpose (4xx, 409, ...): keep their status and message. */
    @Provider
    public static class WebApplicationErrors implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException exception) {
            Response original = exception.getResponse();
            if (original != null
                    && original.hasEntity()
                    && Problem.PROBLEM_JSON.isCompatible(original.getMediaType())) {
                return original;
            }
            Response.StatusType status =
                    original == null ? Response.Status.INTERNAL_SERVER_ERROR : original.getStatusInfo();
            String detail = status.getStatusCode() >= 500 ? null : exception.getMessage();
            Response problem = Problem.response(status, null, detail);
            String challenge = original == null ? null : original.getHeaderString(HttpHeaders.WWW_AUTHENTICATE);
            if (challenge == null && status.getStatusCode() == 401) {
                challenge = "Basic realm=\"ap-intake\", charset=\"UTF-8\"";
            }
            // A 401 without its challenge would leave the client not knowing how to authenticate.
            return challenge == null
                    ? problem
                    : Response.fromResponse(problem)
                            .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
                            .build();
        }
    }

    /** A control's refusal: 403 or 409 with its message. */
    @Provider
    public static class Refusals implements ExceptionMapper<com.apintake.platform.entity.Refused> {
        @Override
        public Response toResponse(com.apintake.platform.entity.Refused refused) {
            return Problem.response(
                    switch (refused.reason()) {
                        case NOT_ALLOWED -> Response.Status.FORBIDDEN;
                        case CONFLICT -> Response.Status.CONFLICT;
                    },
                    null,
                    refused.getMessage());
        }
    }

    /** Anything else is a fault: logged with its stack trace, answered without it. */
    @Provider
    public static class UnexpectedErrors implements ExceptionMapper<RuntimeException> {
        private static final Logger LOG = Logger.getLogger(UnexpectedErrors.class.getName());

        @Override
        public Response toResponse(RuntimeException exception) {
            if (exception instanceof WebApplicationException web) {
                return new WebApplicationErrors().toResponse(web);
            }
            if (Unavailability.isOutage(exception)) {
                return UnavailableErrors.answer(exception);
            }
            LOG.log(Level.SEVERE, "Unexpected error answering a request", exception);
            return Problem.response(
                    Response.Status.INTERNAL_SERVER_ERROR, null, "An internal error occurred; it has been logged.");
        }
    }
}
