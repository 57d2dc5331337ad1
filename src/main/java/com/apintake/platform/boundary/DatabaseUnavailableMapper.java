package com.apintake.platform.boundary;

import com.apintake.platform.control.DatabaseUnavailable;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/** 503 with Retry-After: the database will likely be back; the SQL error stays in the log. */
@Provider
public class DatabaseUnavailableMapper implements ExceptionMapper<DatabaseUnavailable> {

    private static final Logger LOG = Logger.getLogger(DatabaseUnavailableMapper.class.getName());
    static final int RETRY_AFTER_SECONDS = 30;

    @Override
    public Response toResponse(DatabaseUnavailable exception) {
        LOG.warning(() -> exception.getMessage() + ": "
                + (exception.getCause() == null ? "" : exception.getCause().getMessage()));
        return Response.fromResponse(Problem.response(
                        Response.Status.SERVICE_UNAVAILABLE,
                        null,
                        "The database could not be reached, or no pooled connection was free in time; retry later."))
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .build();
    }
}
