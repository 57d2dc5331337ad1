package com.apintake.platform.boundary;

import com.apintake.platform.control.ReadSourceUsed;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/** X-Read-Source: replica|primary on every response whose reads went through ReadSource. */
@Provider
public class ReadSourceHeader implements ContainerResponseFilter {

    @Inject
    ReadSourceUsed used;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String source = used.source();
        if (source != null) {
            response.getHeaders().putSingle("X-Read-Source", source);
        }
    }
}
