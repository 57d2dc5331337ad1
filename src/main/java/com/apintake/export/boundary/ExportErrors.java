package com.apintake.export.boundary;

import com.apintake.export.control.ExportBatch;
import com.apintake.platform.boundary.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A failed export write is the operator's to fix (disk, permissions): 503 saying so, logged with its cause. */
@Provider
public class ExportErrors implements ExceptionMapper<ExportBatch.ExportFailed> {

    private static final Logger LOG = Logger.getLogger(ExportErrors.class.getName());

    @Override
    public Response toResponse(ExportBatch.ExportFailed e) {
        LOG.log(Level.SEVERE, e.getMessage(), e);
        return Problem.response(Response.Status.SERVICE_UNAVAILABLE, null, e.getMessage());
    }
}
