package com.apintake.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command line (or a shell pipe of two) the way an operator would, and waits for it: stdout and
 * stderr together, an environment of the caller's choice, a time limit after which the process is killed.
 * The one copy shared by the tests and the benchmark programs. BACKUP_ENCRYPTION_KEY is taken out of the
 * child's environment, so a tool only gets the key the way the documentation tells an operator to hand it.
 */
public final class Commands {

    private Commands() {}

    /** How the command ended and what it printed. */
    public record Result(int exit, String output) {
        public boolean succeeded() {
            return exit == 0;
        }
    }

    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("BACKUP_ENCRYPTION_KEY");
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Read before waiting: a chatty tool would otherwise block on a full pipe.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException("timed out after " + timeout + ": " + String.join(" ", command));
        }
        return new Result(process.exitValue(), output);
    }

    /** Like {@link #run}, but a non-zero exit is an IOException carrying the output. */
    public static String check(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        Result result = run(command, environment, timeout);
        if (!result.succeeded()) {
            throw new IOException(String.join(" ", command) + " failed (" + result.exit() + "): " + result.output());
        }
        return result.output();
    }

    /** {@code producer | consumer} in bash with pipefail, so a failure on either side fails the whole. */
    public static Result pipe(
            List<String> producer, List<String> consumer, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        String line = "set -o pipefail; " + quote(producer) + " | " + quote(consumer);
        return run(List.of("bash", "-c", line), environment, timeout);
    }

    /** Single-quotes every word for bash. */
    public static String quote(List<String> words) {
        return String.join(
                " ",
                words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }
}
