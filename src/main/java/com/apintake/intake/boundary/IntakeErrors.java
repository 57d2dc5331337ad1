package com.apintake.intake.boundary;

import com.apintake.extraction.control.MalformedDocumentException;
import com.apintake.extraction.control.UnsupportedDocumentException;
import com.apintake.intake.control.HeldByExceptionsException;
import com.apintake.intake.control.NoSuchInvoiceException;
import com.apintake.intake.entity.InvalidFieldException;
import com.apintake.intake.entity.WorkflowStatus;
import com.apintake.platform.boundary.DataRejectedErrors;
import com.apintake.platform.boundary.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** The answers to files the intake cannot take, and to moves the workflow does not allow. */
public final class IntakeErrors {

    private IntakeErrors() {}

    @Provider
    public static class Unsupported implements ExceptionMapper<UnsupportedDocumentException> {
        @Override
        public Response toResponse(UnsupportedDocumentException e) {
            return Problem.response(
                    Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    null,
                    e.getMessage()
                            + ". Accepted: UBL 2.1 Invoice/CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF, PDF.");
        }
    }

    @Provider
    public static class Malformed implements ExceptionMapper<MalformedDocumentException> {
        @Override
        public Response toResponse(MalformedDocumentException e) {
            return Problem.response(DataRejectedErrors.Unprocessable.INSTANCE, null, e.getMessage());
        }
    }

    @Provider
    public static class IllegalMove implements ExceptionMapper<WorkflowStatus.IllegalTransition> {
        @Override
        public Response toResponse(WorkflowStatus.IllegalTransition e) {
            return Problem.response(Response.Status.CONFLICT, null, e.getMessage());
        }
    }

    @Provider
    public static class InvalidField implements ExceptionMapper<InvalidFieldException> {
        @Override
        public Response toResponse(InvalidFieldException e) {
            return Problem.response(
                    DataRejectedErrors.Unprocessable.INSTANCE, null, e.getMessage() + " Nothing was stored.");
        }
    }

    @Provider
    public static class NoSuchInvoice implements ExceptionMapper<NoSuchInvoiceException> {
        @Override
        public Response toResponse(NoSuchInvoiceException e) {
            return Problem.response(Response.Status.NOT_FOUND, null, e.getMessage());
        }
    }

    @Provider
    public static class HeldByExceptions implements ExceptionMapper<HeldByExceptionsException> {
        @Override
        public Response toResponse(HeldByExceptionsException e) {
            return Problem.response(Response.Status.CONFLICT, null, e.getMessage());
        }
    }
}
