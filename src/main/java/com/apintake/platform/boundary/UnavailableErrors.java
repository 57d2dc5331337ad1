package com.apintake.platform.boundary;

import com.apintake.platform.control.DatabaseUnavailableException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The database is away (restart, failover, pool exhausted, statement timeout): 503 with Retry-After,
 * so clients and load balancers retry instead of reporting a fault. Logged in one line without the
 * stack trace: an outage produces thousands of these, and the cause is already known to readiness.
 */
@Provider
public class UnavailableErrors implements ExceptionMapper<DatabaseUnavailableException> {

    private static final Logger LOG = Logger.getLogger(UnavailableErrors.class.getName());

    @Override
    public Response toResponse(DatabaseUnavailableException exception) {
        return answer(exception);
    }

    static Response answer(Throwable exception) {
        LOG.warning(() -> "Database unavailable, answered 503: " + rootMessage(exception));
        int retryAfter = retryAfterSeconds();
        return Response.fromResponse(Problem.response(
                        Response.Status.SERVICE_UNAVAILABLE,
                        null,
                        "The database is not available at the moment; nothing of this request was stored."
                                + " Retry after " + retryAfter + " seconds."))
                .header(HttpHeaders.RETRY_AFTER, retryAfter)
                .build();
    }

    /** apintake.unavailable.retry-after-seconds: when a client should try again after a 503. */
    public static int retryAfterSeconds() {
        return ConfigProvider.getConfig()
                .getOptionalValue("apintake.unavailable.retry-after-seconds", Integer.class)
                .orElse(5);
    }

    private static String rootMessage(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
