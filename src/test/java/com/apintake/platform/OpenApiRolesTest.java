package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.platform.boundary.OpenApiRoles;
import com.apintake.security.entity.Roles;
import com.apintake.testsupport.ResourceMethods;
import org.junit.jupiter.api.Test;

class OpenApiRolesTest {

    @Test
    void aJavaMethodAndItsOpenApiPathGiveTheSameKey() {
        assertThat(OpenApiRoles.key("get", "/api/v1/database/backups/{id: [0-9]+}/verify"))
                .isEqualTo("GET /api/v1/database/backups/{id}/verify");
        assertThat(OpenApiRoles.key("POST", "/api/v1/exports/run/")).isEqualTo("POST /api/v1/exports/run");
        assertThat(OpenApiRoles.key("GET", "/")).isEqualTo("GET /");
    }

    @Test
    void theRolesAreTheMethodsOverTheClasses() {
        var approve = ResourceMethods.all().stream()
                .filter(e -> e.name().endsWith("InvoicesResource#approve"))
                .findFirst()
                .orElseThrow();
        var list = ResourceMethods.all().stream()
                .filter(e -> e.name().endsWith("InvoicesResource#list"))
                .findFirst()
                .orElseThrow();
        assertThat(OpenApiRoles.rolesOf(approve.type(), approve.method())).containsExactly(Roles.APPROVER);
        assertThat(OpenApiRoles.rolesOf(list.type(), list.method())).containsExactly(Roles.CLERK, Roles.APPROVER);
    }
}
