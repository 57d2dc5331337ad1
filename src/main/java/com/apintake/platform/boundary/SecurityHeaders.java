package com.apintake.platform.boundary;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Headers on every answer of the API: browsers must not guess a content type (nosniff), must not send
 * our URLs (with ids and filters in them) to other sites as a Referer, and neither browsers nor proxies
 * may keep an answer given to a logged-in caller: documents, bank details and user lists are no
 * cache's business.
 */
@Provider
public class SecurityHeaders implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        var headers = response.getHeaders();
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("Referrer-Policy", "no-referrer");
        boolean authenticated = request.getSecurityContext() != null
                        && request.getSecurityContext().getUserPrincipal() != null
                || request.getHeaderString(HttpHeaders.AUTHORIZATION) != null;
        if (authenticated) {
            headers.putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
        }
    }
}
