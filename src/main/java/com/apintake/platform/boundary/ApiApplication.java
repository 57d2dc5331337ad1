package com.apintake.platform.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;

/**
 * Every REST resource of ap-intake lives under /api/v1, each method guarded by @RolesAllowed (see
 * security/boundary/RoleCheck). Health and metrics are served by the server at the root, open.
 */
@ApplicationPath("api/v1")
public class ApiApplication extends Application {

    /** No generated WADL: it would describe the API to anyone who asks. */
    @Override
    public Map<String, Object> getProperties() {
        // Location headers stay as built (relative, or on apintake.http.public-base-url): Jersey would
        // otherwise complete them with the request's Host header (see PublicLinks).
        return Map.of(
                "jersey.config.server.wadl.disableWadl",
                true,
                "jersey.config.server.headers.location.relative.resolution.disabled",
                true);
    }
}
