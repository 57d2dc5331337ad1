package com.apintake.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonStructure;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A plain HTTP client for the integration tests: they call the server the way curl would. The static
 * methods call as the test run's admin user; {@link #as} and {@link #anonymous} call as someone else.
 */
public final class Http {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {}

    public record Answer(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        public <T extends JsonStructure> T json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                @SuppressWarnings("unchecked")
                T value = (T) reader.read();
                return value;
            }
        }
    }

    /** Calls as the test run's first user (ADMIN_USER, all three roles): what every test does unless it says otherwise. */
    public static Client admin() {
        return as(TestEnvironment.ADMIN_USER, TestEnvironment.adminPassword());
    }

    /** Calls with HTTP Basic credentials, as curl -u user:password does. */
    public static Client as(String user, String password) {
        String token = java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Client("Basic " + token);
    }

    /** Calls without credentials. */
    public static Client anonymous() {
        return new Client(null);
    }

    public static Answer get(URL base, String path) {
        return admin().get(base, path);
    }

    public static Answer post(URL base, String path, String contentType, byte[] body) {
        return admin().post(base, path, contentType, body);
    }

    public static Answer postJson(URL base, String path, String json) {
        return admin().postJson(base, path, json);
    }

    public static Answer send(HttpRequest.Builder request) {
        return admin().send(request);
    }

    /** A caller: authorization is the Authorization header it sends, null for none. */
    public record Client(String authorization) {

        public Answer get(URL base, String path) {
            return send(HttpRequest.newBuilder(resolve(base, path)).GET());
        }

        public Answer post(URL base, String path, String contentType, byte[] body) {
            return send(HttpRequest.newBuilder(resolve(base, path))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        }

        public Answer postJson(URL base, String path, String json) {
            return post(base, path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public Answer putJson(URL base, String path, String json) {
            return send(HttpRequest.newBuilder(resolve(base, path))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)));
        }

        public Answer delete(URL base, String path) {
            return send(HttpRequest.newBuilder(resolve(base, path)).DELETE());
        }

        public Answer send(HttpRequest.Builder request) {
            if (authorization != null) {
                request.setHeader("Authorization", authorization);
            }
            return exchange(request);
        }
    }

    private static Answer exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body(),
                    response.headers());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP call failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Server-root paths (/health) and API paths resolve against the base URL's host and port. */
    public static URI resolve(URL base, String path) {
        return URI.create(base.getProtocol() + "://" + base.getHost() + ":" + base.getPort() + path);
    }
}
