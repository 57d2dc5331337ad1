package com.apintake.security.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.ResourceMethods;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URL;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /openapi of the running server describes every JAX-RS method of the WAR: a summary, the roles
 * RoleCheck enforces for it (x-roles), the Basic security requirement, problem+json error answers
 * and a success answer. A new endpoint without its annotations fails here, naming the method.
 */
@ExtendWith(ArquillianExtension.class)
class OpenApiIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    JsonObject document() {
        var answer = Http.admin()
                .send(HttpRequest.newBuilder(Http.resolve(base, "/openapi")).header("Accept", "application/json"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        try {
            // Kept for a look after the run (and for the docs): the document as the server gave it.
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "openapi.json"), answer.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return answer.json();
    }

    @Test
    void everyResourceMethodIsDescribedWithItsRoles() {
        JsonObject document = document();
        // Path parameters with a regular expression ({id: [0-9]+}) may be written either way: compare without it.
        java.util.Map<String, JsonObject> paths = new java.util.HashMap<>();
        document.getJsonObject("paths")
                .forEach((path, item) -> paths.put(
                        com.apintake.platform.boundary.OpenApiRoles.key("GET", path)
                                .substring(4),
                        item.asJsonObject()));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (var endpoint : ResourceMethods.all()) {
            if (endpoint.httpMethod() == null) {
                continue;
            }
            checked++;
            String key = com.apintake.platform.boundary.OpenApiRoles.key(endpoint.httpMethod(), endpoint.path());
            String path = key.substring(key.indexOf(' ') + 1);
            JsonObject item = paths.get(path);
            JsonObject operation = item == null
                    ? null
                    : item.getJsonObject(endpoint.httpMethod().toLowerCase(Locale.ROOT));
            if (operation == null) {
                problems.add(endpoint.name() + ": " + key + " is missing from /openapi");
                continue;
            }
            if (!operation.containsKey("summary")
                    || operation.getString("summary").isBlank()) {
                problems.add(endpoint.name() + ": no summary (@Operation(summary = ...))");
            }
            List<String> roles = RoleCheck.declaredRoles(endpoint.type(), endpoint.method());
            List<String> documented = operation.containsKey("x-roles")
                    ? operation.getJsonArray("x-roles").getValuesAs(JsonString.class).stream()
                            .map(JsonString::getString)
                            .toList()
                    : null;
            if (roles == null || documented == null || !documented.equals(roles)) {
                problems.add(endpoint.name() + ": x-roles " + documented + " but RoleCheck enforces " + roles);
            }
            if (!operation.containsKey("security")
                    || operation.getJsonArray("security").stream()
                            .noneMatch(s -> s.asJsonObject().containsKey("basic"))) {
                problems.add(endpoint.name() + ": no Basic security requirement");
            }
            JsonObject responses = operation.getJsonObject("responses");
            for (String status : List.of("401", "403")) {
                if (responses == null
                        || !responses.containsKey(status)
                        || !responses
                                .getJsonObject(status)
                                .getJsonObject("content")
                                .containsKey("application/problem+json")) {
                    problems.add(endpoint.name() + ": no problem+json " + status);
                }
            }
            if (responses == null
                    || responses.keySet().stream().noneMatch(s -> s.startsWith("2") || s.equals("default"))) {
                problems.add(endpoint.name() + ": no success response");
            }
        }
        assertThat(checked).isGreaterThan(40);
        assertThat(document.getJsonObject("paths").keySet())
                .as("OpenAPI path templates name parameters only")
                .noneMatch(p -> p.contains(":"));
        assertThat(problems).isEmpty();
    }

    @Test
    void theBasicSchemeAndTheProblemSchemaAreDeclared() {
        JsonObject components = document().getJsonObject("components");
        JsonObject basic = components.getJsonObject("securitySchemes").getJsonObject("basic");
        assertThat(basic.getString("type")).isEqualTo("http");
        assertThat(basic.getString("scheme")).isEqualTo("basic");
        JsonObject problem = components.getJsonObject("schemas").getJsonObject("Problem");
        assertThat(problem.getJsonObject("properties").keySet()).contains("type", "title", "status", "detail");
        assertThat(problem.getJsonObject("properties").get("status")).isNotEqualTo(JsonValue.NULL);
    }
}
