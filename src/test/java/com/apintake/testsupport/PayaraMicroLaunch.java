package com.apintake.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How ap-intake starts Payara Micro in dev (./run.sh) and in the tests: loopback only, the pool of
 * the environment rendered from server-config/, the JDBC driver given to the server, and the
 * flashlight agent that pool statistics need.
 */
public record PayaraMicroLaunch(Path basedir, Path runtime, Path workDir, String environment, int httpPort) {

    public Path microJar() {
        return runtime.resolve("payara-micro.jar");
    }

    public Path rootDir() {
        return workDir.resolve("payara-root");
    }

    /** JVM options for the Payara Micro process; applicationSettings become system properties (MicroProfile Config keys). */
    public List<String> jvmOptions(Map<String, String> applicationSettings) {
        List<String> options = new ArrayList<>(List.of(
                "-Xmx768m",
                "-Dhazelcast.socket.bind.any=false",
                "-Djdk.attach.allowAttachSelf=true",
                "-javaagent:" + runtime.resolve("MICRO-INF/runtime/flashlight-agent.jar")));
        applicationSettings.forEach((key, value) -> options.add("-D" + key + "=" + value));
        return options;
    }

    /**
     * Payara Micro options. Renders server-config/{environment}.asadmin with the given settings
     * (e.g. DB_PORT) into the work dir and starts from a fresh root dir, since a reused one keeps its
     * domain.xml and then rejects the create commands.
     */
    public List<String> microOptions(Map<String, String> settings) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Folders.deleteRecursively(rootDir());
        // Payara also looks for the agent under <rootdir>/lib/monitor and warns when it is missing.
        Path monitor = Files.createDirectories(rootDir().resolve("lib/monitor"));
        Files.copy(runtime.resolve("MICRO-INF/runtime/flashlight-agent.jar"), monitor.resolve("flashlight-agent.jar"));
        Path postBoot = workDir.resolve(environment + "-post-boot.asadmin");
        Files.writeString(postBoot, render(settings), StandardCharsets.UTF_8);
        return List.of(
                "--port",
                Integer.toString(httpPort),
                "--rootdir",
                rootDir().toString(),
                "--nocluster",
                "--disablephonehome",
                "--prebootcommandfile",
                preBoot().toString(),
                "--postbootcommandfile",
                postBoot.toString(),
                "--addlibs",
                runtime.resolve("postgresql.jar").toString());
    }

    /**
     * pre-boot-loopback.asadmin followed by server-config/{environment}-pre-boot.asadmin when there is one: the
     * HTTP worker threads, which Payara Micro only applies pre-boot.
     */
    private Path preBoot() throws IOException {
        String commands =
                Files.readString(basedir.resolve("server-config/pre-boot-loopback.asadmin"), StandardCharsets.UTF_8);
        Path sizing = basedir.resolve("server-config/" + environment + "-pre-boot.asadmin");
        if (Files.exists(sizing)) {
            commands += "\n" + Files.readString(sizing, StandardCharsets.UTF_8);
        }
        Path preBoot = workDir.resolve(environment + "-pre-boot.asadmin");
        Files.writeString(preBoot, commands, StandardCharsets.UTF_8);
        return preBoot;
    }

    private String render(Map<String, String> settings) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                "bash", basedir.resolve("server-config/render.sh").toString(), environment);
        builder.environment().putAll(settings);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("server-config/render.sh " + environment + " failed");
        }
        return rendered;
    }

    /**
     * The whole command line: java with {@link #jvmOptions}, the Micro jar deploying the WAR, and
     * {@link #microOptions} rendered with serverSettings.
     */
    public List<String> command(Path war, Map<String, String> applicationSettings, Map<String, String> serverSettings)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions(applicationSettings));
        command.addAll(List.of("-jar", microJar().toString(), "--deploy", war.toString()));
        command.addAll(microOptions(serverSettings));
        return command;
    }

    /** Waits until /health/ready answers 200; false when the process ended or the time ran out. */
    public boolean awaitReady(Process payara, Duration timeout) throws InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/health/ready");
        Instant deadline = Instant.now().plus(timeout);
        while (payara.isAlive() && Instant.now().isBefore(deadline)) {
            try {
                var response = client.send(
                        HttpRequest.newBuilder(ready)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        return false;
    }

    /** SIGTERM, so Payara shuts down cleanly; killed after a minute. */
    public static void stop(Process payara) {
        if (payara == null || !payara.isAlive()) {
            return;
        }
        payara.destroy();
        try {
            if (!payara.waitFor(60, TimeUnit.SECONDS)) {
                payara.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
