package com.apintake.alerts.control;

import com.apintake.alerts.entity.AlertChange;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The sinks of alert changes: the server log, always, and an HTTP webhook (JSON POST) when
 * apintake.alerts.webhook-url is set. The webhook runs on the managed executor with a connect and a
 * request timeout and a few retries with backoff, so a slow or dead receiver never delays the
 * evaluator; beyond apintake.alerts.webhook-queue pending deliveries new ones are dropped and logged.
 */
@ApplicationScoped
public class AlertNotifier {

    private static final Logger LOG = Logger.getLogger(AlertNotifier.class.getName());

    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-url")
    Optional<String> webhookUrl;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-connect-timeout-ms", defaultValue = "2000")
    long connectTimeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-timeout-ms", defaultValue = "5000")
    long timeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-attempts", defaultValue = "3")
    int attempts;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-backoff-ms", defaultValue = "1000")
    long backoffMillis;

    @Inject
    @ConfigProperty(name = "apintake.alerts.webhook-queue", defaultValue = "100")
    int queueLimit;

    private final AtomicInteger pending = new AtomicInteger();
    private volatile HttpClient client;

    public void notify(AlertChange change) {
        log(change);
        webhookUrl.filter(url -> !url.isBlank()).ifPresent(url -> post(url, change));
    }

    private static void log(AlertChange change) {
        Level level = "resolved".equals(change.event())
                ? Level.INFO
                : "critical".equals(change.severity()) ? Level.SEVERE : Level.WARNING;
        LOG.log(
                level,
                () -> "ALERT " + change.event() + " [" + change.severity() + "] " + change.condition() + " (#"
                        + change.alertId() + "): " + change.summary());
    }

    private void post(String url, AlertChange change) {
        if (pending.incrementAndGet() > queueLimit) {
            pending.decrementAndGet();
            LOG.warning(() -> "Alert webhook backlog full (" + queueLimit + "): not delivering " + change.event()
                    + " of " + change.condition());
            return;
        }
        String body = json(change);
        try {
            executor.submit(() -> {
                try {
                    deliver(url, body, change);
                } finally {
                    pending.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet();
            LOG.warning(() -> "Alert webhook not scheduled: " + e.getMessage());
        }
    }

    private void deliver(String url, String body, AlertChange change) {
        URI target = URI.create(url);
        for (int attempt = 1; attempt <= Math.max(1, attempts); attempt++) {
            try {
                var response = client().send(
                                HttpRequest.newBuilder(target)
                                        .timeout(Duration.ofMillis(timeoutMillis))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                int status = response.statusCode();
                LOG.warning(() ->
                        "Alert webhook at " + target.getHost() + " answered " + status + " for " + change.condition());
            } catch (java.io.IOException e) {
                LOG.warning(() -> "Alert webhook at " + target.getHost() + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(backoffMillis * (1L << (attempt - 1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        LOG.warning(() -> "Alert webhook gave up after " + attempts + " attempts: " + change.event() + " of "
                + change.condition() + " (#" + change.alertId() + ")");
    }

    private HttpClient client() {
        HttpClient current = client;
        if (current == null) {
            current = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                    .build();
            client = current;
        }
        return current;
    }

    static String json(AlertChange change) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("alertId", change.alertId())
                .add("condition", change.condition())
                .add("event", change.event())
                .add("severity", change.severity())
                .add("summary", change.summary())
                .add("source", change.source())
                .add("openedAt", change.openedAt().toString())
                .add("at", change.at().toString());
        if (change.value() != null) {
            body.add("value", change.value());
        }
        if (change.threshold() != null) {
            body.add("threshold", change.threshold());
        }
        return body.build().toString();
    }
}
