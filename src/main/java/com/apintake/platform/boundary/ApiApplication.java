package com.apintake.platform.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * Every REST resource of ap-intake lives under /api/v1, each method guarded by @RolesAllowed (see
 * security/boundary/RoleCheck). Health and metrics are served by the server at the root, open.
 */
@ApplicationPath("api/v1")
@OpenAPIDefinition(
        info =
                @Info(
                        title = "ap-intake",
                        version = "1",
                        description =
                                "Accounts-payable invoice intake and the operation of its PostgreSQL. Every operation needs"
                                        + " HTTP Basic credentials (or the console's session) of a user holding one of the roles in its"
                                        + " x-roles; errors are application/problem+json."),
        security = @SecurityRequirement(name = "basic"),
        components =
                @Components(
                        schemas =
                                @Schema(
                                        name = "Problem",
                                        description =
                                                "RFC 9457 problem details: what the caller can act on, never a stack trace or SQL.",
                                        type = SchemaType.OBJECT,
                                        properties = {
                                            @SchemaProperty(
                                                    name = "type",
                                                    type = SchemaType.STRING,
                                                    example = "about:blank"),
                                            @SchemaProperty(
                                                    name = "title",
                                                    type = SchemaType.STRING,
                                                    example = "Conflict"),
                                            @SchemaProperty(
                                                    name = "status",
                                                    type = SchemaType.INTEGER,
                                                    example = "409"),
                                            @SchemaProperty(name = "detail", type = SchemaType.STRING)
                                        })))
@SecurityScheme(
        securitySchemeName = "basic",
        type = SecuritySchemeType.HTTP,
        scheme = "basic",
        description = "Users and roles live in the database (ap-clerk, ap-approver, dba); see docs/security-model.md.")
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
