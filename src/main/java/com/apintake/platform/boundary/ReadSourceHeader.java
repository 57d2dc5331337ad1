package com.apintake.platform.boundary;

import com.apintake.platform.control.ReadSourceUsed;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * X-Read-Source: replica|primary on every response whose reads went through ReadSource. Most requests read
 * nothing through it: the filter looks for the request's ReadSourceUsed in the request context instead of
 * calling it through its proxy, which created one on every request only to find it empty (3.6 % of a
 * dashboard request's CPU, docs/request-path.md).
 */
@Provider
public class ReadSourceHeader implements ContainerResponseFilter {

    @Inject
    BeanManager beans;

    private volatile Bean<?> bean;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        ReadSourceUsed used = existing();
        String source = used == null ? null : used.source();
        if (source != null) {
            response.getHeaders().putSingle("X-Read-Source", source);
        }
    }

    /** The request's ReadSourceUsed if ReadSource created one, else null (none is created here). */
    private ReadSourceUsed existing() {
        Bean<?> resolved = bean;
        if (resolved == null) {
            resolved = beans.resolve(beans.getBeans(ReadSourceUsed.class));
            bean = resolved;
        }
        try {
            return (ReadSourceUsed) beans.getContext(RequestScoped.class).get(resolved);
        } catch (ContextNotActiveException e) {
            return null;
        }
    }
}
