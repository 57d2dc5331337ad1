package com.apintake.platform.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Links the API hands out (paging "next", Location of something created). They are built from
 * apintake.http.public-base-url when it is set, else relative to the server root (/api/v1/...), and
 * never from the request's Host header: a client or proxy controls that header, so a reflected Host
 * would let anyone plant links to their own site in our answers.
 */
@ApplicationScoped
public class PublicLinks {

    @Inject
    @ConfigProperty(name = "apintake.http.public-base-url")
    Optional<String> publicBaseUrl;

    /** The request's own path and query with one query parameter replaced: the next page of a list. */
    public String withQuery(UriInfo uriInfo, String parameter, Object value) {
        URI relative = UriBuilder.fromUri(uriInfo.getRequestUri())
                .replaceQueryParam(parameter, value)
                .build();
        return publicUri(relative).toString();
    }

    /** A path below the application's base (api/v1), e.g. "invoices/42". */
    public URI api(UriInfo uriInfo, String path) {
        String base = uriInfo.getBaseUri().getRawPath();
        return publicUri(URI.create((base.endsWith("/") ? base : base + "/") + path));
    }

    private URI publicUri(URI uri) {
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return publicBaseUrl
                .map(String::strip)
                .filter(base -> !base.isEmpty())
                .map(base -> URI.create(base.replaceAll("/+$", "") + pathAndQuery))
                .orElse(URI.create(pathAndQuery));
    }
}
