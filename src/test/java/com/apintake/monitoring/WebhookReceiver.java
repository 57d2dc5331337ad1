package com.apintake.monitoring;

import com.apintake.testsupport.TestEnvironment;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Listens on the loopback port the test server posts alert webhooks to, and keeps what it got. */
public final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), TestEnvironment.webhookPort()), 10);
        server.createContext("/alerts", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try (var reader = Json.createReader(new StringReader(body))) {
                received.add(reader.readObject());
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    public List<JsonObject> received() {
        return received;
    }

    public boolean got(String condition, String event) {
        return received.stream()
                .anyMatch(r -> r.getString("condition").equals(condition)
                        && r.getString("event").equals(event));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
