package com.apintake.monitoring;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shipped Prometheus rules and Grafana dashboard, read the way the tests need them, and promtool. */
final class PrometheusArtefacts {

    static final Path RULES = Path.of("server-config/prometheus/ap-intake.rules.yml");
    static final Path RULE_TESTS = Path.of("server-config/prometheus/ap-intake.rules.test.yml");
    static final Path DASHBOARD = Path.of("server-config/grafana/ap-intake-dashboard.json");

    /** Our families: what the application exposes (Payara's own base/vendor families are not ours to name). */
    private static final Pattern OUR_METRIC =
            Pattern.compile("\\b((?:apintake|database|backup|alerts|intake)_[a-z0-9_]+)");

    private static final Pattern LABELS = Pattern.compile("\\{[^}]*\\}");

    /** One alerting rule: its expression, the registry entry it names and its severity. */
    record Rule(String alert, String expr, String threshold, String severity) {}

    private PrometheusArtefacts() {}

    /** The rules file is written one key per line; this reads exactly that shape and fails on anything else. */
    static List<Rule> rules() throws IOException {
        List<Rule> rules = new ArrayList<>();
        String alert = null, expr = null, threshold = null, severity = null;
        for (String line : Files.readAllLines(RULES)) {
            String t = line.trim();
            if (t.startsWith("- alert:")) {
                if (alert != null) {
                    rules.add(new Rule(alert, expr, threshold, severity));
                }
                alert = value(t.substring(2));
                expr = threshold = severity = null;
            } else if (t.startsWith("expr:")) {
                expr = value(t);
            } else if (t.startsWith("threshold:")) {
                threshold = value(t);
            } else if (t.startsWith("severity:")) {
                severity = value(t);
            }
        }
        if (alert != null) {
            rules.add(new Rule(alert, expr, threshold, severity));
        }
        return rules;
    }

    private static String value(String keyValue) {
        return keyValue.substring(keyValue.indexOf(':') + 1).trim();
    }

    static List<String> dashboardExpressions() throws IOException {
        JsonObject dashboard;
        try (var reader = Json.createReader(new StringReader(Files.readString(DASHBOARD)))) {
            dashboard = reader.readObject();
        }
        List<String> expressions = new ArrayList<>();
        for (var panel : dashboard.getJsonArray("panels").getValuesAs(JsonObject.class)) {
            for (var target : panel.getJsonArray("targets").getValuesAs(JsonObject.class)) {
                expressions.add(target.getString("expr"));
            }
        }
        return expressions;
    }

    /** The names of our metrics an expression reads (label matchers and their values left out). */
    static Set<String> metricNames(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher m = OUR_METRIC.matcher(LABELS.matcher(expression).replaceAll(""));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    record Result(int exitCode, String output) {}

    /** Runs promtool (Debian package prometheus; .ci/run installs it) with the text on its standard input. */
    static Result promtool(String input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtoolBinary());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(RULES.getParent().toFile())
                .redirectErrorStream(true)
                .start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    private static String promtoolBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(
                "promtool not found on PATH: install the Debian package prometheus (apt-get install prometheus), as .ci/run does");
    }
}
