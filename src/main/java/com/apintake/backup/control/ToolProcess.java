package com.apintake.backup.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL client program run as a child: arguments without secrets, the connection in its
 * environment, stderr kept in a temporary file so a failure reason can quote its last lines.
 */
public final class ToolProcess implements AutoCloseable {

    private final Process process;
    private final Path errors;
    private final String name;

    private ToolProcess(Process process, Path errors, String name) {
        this.process = process;
        this.errors = errors;
        this.name = name;
    }

    /** stdout: a file to write it to, or null to read it from {@link #stdout()}; stdin is a pipe only when pipeInput. */
    public static ToolProcess start(
            List<String> command, Map<String, String> environment, Path stdout, boolean pipeInput) throws IOException {
        Path errors = Files.createTempFile("ap-intake-tool", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("PG"));
        builder.environment().putAll(environment);
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        if (!pipeInput) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        try {
            return new ToolProcess(
                    builder.start(),
                    errors,
                    Path.of(command.get(0)).getFileName().toString());
        } catch (IOException e) {
            Files.deleteIfExists(errors);
            throw e;
        }
    }

    public long pid() {
        return process.pid();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Waits for the exit; a run past the timeout is killed. Throws with the tool's own last words unless it exited 0. */
    public void awaitSuccess(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IOException(name + " did not finish within " + timeout.toMinutes() + " min and was stopped");
        }
        int exit = process.exitValue();
        if (exit != 0) {
            String why = exit > 128 ? " (killed by signal " + (exit - 128) + ")" : "";
            throw new IOException(name + " failed with exit code " + exit + why + errorTail());
        }
    }

    private String errorTail() throws IOException {
        List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return "";
        }
        return ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(errors);
    }
}
