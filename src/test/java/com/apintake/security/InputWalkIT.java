package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.ResourceMethods;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Walks every JAX-RS method the WAR holds (as ResourceRolesTest does) as a caller holding every role,
 * and sends each one bad input: malformed and mistyped JSON, NULs, huge strings, out-of-range numbers,
 * dates and offsets in its path, query and body. Any 5xx fails, naming the request: bad input is the
 * caller's fault (4xx), never the server's.
 */
@ExtendWith(ArquillianExtension.class)
class InputWalkIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    static final List<String> BAD_VALUES = List.of(
            "\0",
            "a\0b",
            "maybe",
            "-1",
            "1.5",
            "99999999999999999999",
            "x".repeat(5000),
            "+300000-01-01",
            "2026-01-01T00:00:00+18:00",
            "0000-01-01",
            "\u0001\u001f\u007f",
            "\ud800");

    static final List<String> BAD_BODIES = List.of(
            "{",
            "{\"username\": ",
            "[]",
            "42",
            "\"text\"",
            "null",
            "{\"a\":1}",
            "{\"username\":[null],\"password\":{},\"roles\":\"dba\",\"enabled\":\"maybe\"}",
            "{\"name\":\"\\u0000\",\"iban\":7,\"id\":\"x\",\"createdAt\":\"+300000-01-01T00:00:00Z\"}",
            "{\"name\":\"x\",\"createdAt\":\"2026-01-01T00:00:00+18:00\"}",
            "{\"resolution\":{},\"action\":5,\"vendorId\":1e400}",
            "{\"reason\":\"" + "r".repeat(70_000) + "\"}",
            "{\"kind\":\"\\u0000\"}",
            "{\"kind\":[]}",
            "\u0000",
            "{\"name\":\"\\ud800\"}");

    @Test
    void noBadInputAnswersA5xx() {
        List<String> faults = new ArrayList<>();
        int requests = 0;
        var endpoints = ResourceMethods.all().stream()
                .filter(e -> e.httpMethod() != null)
                .toList();
        assertThat(endpoints).hasSizeGreaterThan(30);
        for (var endpoint : endpoints) {
            boolean reads = endpoint.httpMethod().equals("GET");
            // Bad path values; a harmless id only for reads (a write to a real id could start a backup or a drill).
            List<String> pathValues = new ArrayList<>(BAD_VALUES);
            if (reads) {
                pathValues.add("1");
            }
            for (String value : pathValues) {
                String path = endpoint.path().replaceAll("\\{[^}]+}", enc(value));
                requests++;
                check(faults, endpoint, path, null, send(request(endpoint, path, null)));
            }
            String fine = endpoint.path().replaceAll("\\{[^}]+}", "999999999");
            for (String query : queryParameters(endpoint)) {
                for (String value : BAD_VALUES) {
                    String path = fine + "?" + query + "=" + enc(value);
                    if (!reads
                            && !"*/*".equals(endpoint.consumes())
                            && !endpoint.path().endsWith("/run")) {
                        continue;
                    }
                    requests++;
                    check(faults, endpoint, path, null, send(request(endpoint, path, "{")));
                }
            }
            if (endpoint.consumes() != null || !reads) {
                for (String body : BAD_BODIES) {
                    if (endpoint.path().endsWith("/run")) {
                        continue; // exports/run and maintenance/run take no body: each call would run the job.
                    }
                    requests++;
                    check(faults, endpoint, fine, body, send(request(endpoint, fine, body)));
                }
            }
        }
        assertThat(requests).isGreaterThan(500);
        assertThat(faults).as("requests answered with 5xx").isEmpty();
    }

    /**
     * Its own HTTP/1.1 client: over the shared client's HTTP/2 connection, one oversized request leaves
     * the connection answering 431 to every later request of every other test (seen here).
     */
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private static Http.Answer send(HttpRequest.Builder request) {
        request.setHeader("Authorization", Http.admin().authorization()).timeout(Duration.ofSeconds(60));
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body(),
                    response.headers());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("HTTP call failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(ResourceMethods.Endpoint endpoint, String path, String body) {
        var request = HttpRequest.newBuilder(Http.resolve(base, path));
        if (body == null) {
            return request.method(endpoint.httpMethod(), HttpRequest.BodyPublishers.noBody());
        }
        String consumes = endpoint.consumes();
        String type = consumes == null || consumes.equals("*/*") || consumes.startsWith("application/json")
                ? "application/json"
                : consumes.startsWith("multipart/") ? consumes + "; boundary=walk" : consumes;
        return request.header("Content-Type", type)
                .method(endpoint.httpMethod(), HttpRequest.BodyPublishers.ofString(body));
    }

    private static void check(
            List<String> faults, ResourceMethods.Endpoint endpoint, String path, String body, Http.Answer answer) {
        if (answer.status() >= 500) {
            faults.add(
                    endpoint.httpMethod() + " " + abbreviate(path) + (body == null ? "" : " body " + abbreviate(body))
                            + " -> " + answer.status() + " " + abbreviate(answer.body()));
        }
    }

    private static List<String> queryParameters(ResourceMethods.Endpoint endpoint) {
        List<String> names = new ArrayList<>();
        for (Annotation[] annotations : endpoint.method().getParameterAnnotations()) {
            for (Annotation annotation : annotations) {
                if (annotation instanceof QueryParam query) {
                    names.add(query.value());
                }
            }
        }
        return names;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
