package com.apintake.platform.boundary;

import com.apintake.platform.control.Unavailability;
import jakarta.annotation.Priority;
import jakarta.transaction.TransactionalException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A @Transactional method whose commit failed (the database went away between the last statement
 * and the COMMIT): 503 with Retry-After, not the servlet container's HTML 500. Jersey's own mapper
 * for TransactionalException rethrows what it cannot map; this one takes precedence.
 */
@Provider
@Priority(1)
public class TransactionErrors implements ExceptionMapper<TransactionalException> {

    @Override
    public Response toResponse(TransactionalException exception) {
        if (Unavailability.isOutage(exception)) {
            return UnavailableErrors.answer(exception);
        }
        return new ProblemMappers.UnexpectedErrors().toResponse(exception);
    }
}
