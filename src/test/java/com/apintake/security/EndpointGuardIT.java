package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.entity.Roles;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.ResourceMethods;
import jakarta.annotation.security.RolesAllowed;
import java.net.URL;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What ResourceRolesTest reads from the annotations, checked on the running server: every endpoint
 * found in the WAR's classes answers anonymous callers 401 with the Basic challenge, and callers
 * holding none of its roles 403, both as problem+json, before it does anything.
 */
@ExtendWith(ArquillianExtension.class)
class EndpointGuardIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void everyEndpointRefusesAnonymousAndTheWrongRoles() {
        TestUsers.ensure(base);
        List<String> wrong = new ArrayList<>();
        var endpoints = ResourceMethods.all().stream()
                .filter(e -> e.httpMethod() != null)
                .toList();
        assertThat(endpoints).hasSizeGreaterThan(20);
        for (var endpoint : endpoints) {
            var anonymous = call(Http.anonymous(), endpoint);
            if (anonymous.status() != 401
                    || !anonymous
                            .headers()
                            .firstValue("WWW-Authenticate")
                            .orElse("")
                            .startsWith("Basic realm=\"ap-intake\"")
                    || !anonymous.contentType().startsWith("application/problem+json")) {
                wrong.add("anonymous " + endpoint.httpMethod() + " " + endpoint.path() + " -> " + anonymous.status()
                        + " " + anonymous.body());
            }
            List<String> allowed = allowed(endpoint);
            for (String role : Roles.ALL) {
                if (allowed.contains(role)) {
                    continue;
                }
                var answer = call(TestUsers.only(role), endpoint);
                if (answer.status() != 403 || !answer.contentType().startsWith("application/problem+json")) {
                    wrong.add(role + " " + endpoint.httpMethod() + " " + endpoint.path() + " -> " + answer.status()
                            + " " + answer.body());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static List<String> allowed(ResourceMethods.Endpoint endpoint) {
        RolesAllowed roles = endpoint.method().getAnnotation(RolesAllowed.class);
        if (roles == null) {
            roles = endpoint.type().getAnnotation(RolesAllowed.class);
        }
        return roles == null ? List.of() : List.of(roles.value());
    }

    private Http.Answer call(Http.Client client, ResourceMethods.Endpoint endpoint) {
        String path = endpoint.path().replaceAll("\\{[^}]+}", "1");
        var request = HttpRequest.newBuilder(Http.resolve(base, path));
        String consumes = endpoint.consumes();
        if (consumes == null) {
            request.method(endpoint.httpMethod(), HttpRequest.BodyPublishers.noBody());
        } else {
            String type = consumes.equals("*/*")
                    ? "application/xml"
                    : consumes.startsWith("multipart/") ? consumes + "; boundary=guard" : consumes;
            request.header("Content-Type", type)
                    .method(endpoint.httpMethod(), HttpRequest.BodyPublishers.ofString("{}"));
        }
        return client.send(request);
    }
}
