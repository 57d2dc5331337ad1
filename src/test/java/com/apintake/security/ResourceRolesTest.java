package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.entity.Roles;
import com.apintake.testsupport.ResourceMethods;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No endpoint ships unguarded: every JAX-RS resource method in the WAR's classes declares its roles
 * with @RolesAllowed (on the method, or on its class), naming only roles that exist. A new resource
 * without them fails the build here, with the fix in the message.
 */
class ResourceRolesTest {

    static final String HOW = "Annotate the method or its class with @RolesAllowed (jakarta.annotation.security) using"
            + " com.apintake.security.entity.Roles: {Roles.CLERK, Roles.APPROVER} to upload and read invoices and"
            + " exceptions; Roles.APPROVER to resolve, approve/reject, export and manage vendors; Roles.DBA for"
            + " /api/v1/database/*, backups, maintenance, reports and the audit trail; Roles.USER_ADMIN for users. /api/v1 has no"
            + " anonymous endpoints (@PermitAll is refused); see README, Security.";

    @Test
    void everyResourceMethodDeclaresItsRoles() {
        List<String> unguarded = new ArrayList<>();
        for (var endpoint : ResourceMethods.all()) {
            String problem = problem(endpoint.type(), endpoint.method());
            if (problem != null) {
                unguarded.add(endpoint.name() + " (" + endpoint.httpMethod() + " " + endpoint.path() + "): " + problem);
            }
        }
        assertThat(unguarded)
                .as("resource methods without their roles:%n  %s%n%s", String.join("\n  ", unguarded), HOW)
                .isEmpty();
    }

    @Test
    void theScanFindsTheKnownEndpoints() {
        var names = ResourceMethods.all().stream()
                .map(e -> e.httpMethod() + " " + e.path())
                .toList();
        assertThat(names)
                .contains(
                        "POST /api/v1/invoices",
                        "POST /api/v1/invoices/{id}/approve",
                        "GET /api/v1/exceptions",
                        "POST /api/v1/exports/run",
                        "PUT /api/v1/vendors/{id}",
                        "GET /api/v1/database/connections",
                        "DELETE /api/v1/users/{username}",
                        "GET /api/v1/audit");
    }

    @Test
    void aMethodWithoutRolesIsReported() throws Exception {
        class Unguarded {
            @jakarta.ws.rs.GET
            public String open() {
                return "";
            }

            @PermitAll
            @jakarta.ws.rs.GET
            public String permitted() {
                return "";
            }

            @RolesAllowed("ap_clerk")
            @jakarta.ws.rs.GET
            public String misspelt() {
                return "";
            }
        }
        assertThat(problem(Unguarded.class, Unguarded.class.getMethod("open"))).contains("no @RolesAllowed");
        assertThat(problem(Unguarded.class, Unguarded.class.getMethod("permitted")))
                .contains("@PermitAll");
        assertThat(problem(Unguarded.class, Unguarded.class.getMethod("misspelt")))
                .contains("ap_clerk");
    }

    /** Why a method is not properly guarded, or null when it is. */
    static String problem(Class<?> type, java.lang.reflect.Method method) {
        if (method.isAnnotationPresent(PermitAll.class) || type.isAnnotationPresent(PermitAll.class)) {
            return "@PermitAll would open it to anyone";
        }
        if (method.isAnnotationPresent(DenyAll.class)) {
            return null;
        }
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        if (roles == null) {
            roles = type.getAnnotation(RolesAllowed.class);
        }
        if (roles == null) {
            return type.isAnnotationPresent(DenyAll.class) ? null : "no @RolesAllowed on the method or its class";
        }
        if (roles.value().length == 0) {
            return "@RolesAllowed names no role";
        }
        for (String role : roles.value()) {
            if (!Roles.ALL.contains(role)) {
                return "unknown role '" + role + "' (known: " + Roles.ALL + ")";
            }
        }
        return null;
    }
}
