package com.apintake.platform.boundary;

import com.apintake.platform.control.DataRejectedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A value PostgreSQL refused (out of range, invalid, against a CHECK): 422, nothing stored. */
@Provider
public class DataRejectedErrors implements ExceptionMapper<DataRejectedException> {

    @Override
    public Response toResponse(DataRejectedException exception) {
        return Problem.response(
                Unprocessable.INSTANCE,
                null,
                "A value does not fit what the database can hold or allows; nothing was stored.");
    }

    /** 422 is not in Response.Status. */
    public static final class Unprocessable implements Response.StatusType {
        public static final Unprocessable INSTANCE = new Unprocessable();

        @Override
        public int getStatusCode() {
            return 422;
        }

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
            return "Unprocessable Content";
        }
    }
}
