package com.apintake.platform.boundary;

import jakarta.json.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * RFC 9457 problem details, the body of every error answer. Carries what the caller can act on,
 * never a stack trace or SQL text.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);

    private Problem() {}

    public static Response response(Response.StatusType status, String type, String detail) {
        var body = Json.createObjectBuilder()
                .add("type", type == null ? "about:blank" : URI.create(type).toString())
                .add("title", status.getReasonPhrase())
                .add("status", status.getStatusCode());
        if (detail != null && !detail.isBlank()) {
            body.add("detail", detail);
        }
        return Response.status(status.getStatusCode())
                .type(PROBLEM_JSON)
                .entity(body.build().toString())
                .build();
    }

    /**
     * A 400 for one request field (a JSON member, a query, path or header parameter): the body names
     * it in "field" so a client can point at it. The value itself is never echoed (it may be a password).
     */
    public static WebApplicationException invalid(String field, String detail) {
        var body = Json.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", Response.Status.BAD_REQUEST.getReasonPhrase())
                .add("status", 400)
                .add("detail", detail)
                .add("field", field);
        return new WebApplicationException(
                detail,
                Response.status(400)
                        .type(PROBLEM_JSON)
                        .entity(body.build().toString())
                        .build());
    }

    /** An exception a resource throws to answer with a problem body. */
    public static WebApplicationException of(Response.Status status, String detail) {
        return new WebApplicationException(detail, response(status, null, detail));
    }
}
