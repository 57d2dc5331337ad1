package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md must list every MicroProfile Config key with its default, and nothing that no longer
 * exists. The keys are those of META-INF/microprofile-config.properties (also the commented-out examples
 * "# key=value", which have no default) and those of @ConfigProperty(name = ...) in src/main/java, some of
 * which have their default only in the code. A key without any default is documented as "unset".
 */
class ConfigurationDocsTest {

    private static final Path PROPERTIES = Path.of("src/main/resources/META-INF/microprofile-config.properties");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path DOC = Path.of("docs/configuration.md");

    private static final Pattern ACTIVE = Pattern.compile("^([a-zA-Z][\\w.\\-]*)\\s*=(.*)$");
    private static final Pattern EXAMPLE = Pattern.compile("^#\\s*([a-z][\\w\\-]*(?:\\.[\\w\\-]+)+)=(.*)$");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\")?");
    private static final Pattern DOC_ROW =
            Pattern.compile("^\\|\\s*`([a-z][\\w\\-]*(?:\\.[\\w\\-]+)+)`\\s*\\|([^|]*)\\|", Pattern.MULTILINE);

    /** The default of each key, empty when it has none (only an example, or a code property without default). */
    record Key(String name, Optional<String> defaultValue) {}

    @Test
    void everyKeyIsDocumentedWithItsDefaultAndNothingElse() throws IOException {
        List<String> sources;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .sorted()
                    .map(ConfigurationDocsTest::read)
                    .toList();
        }
        List<String> problems = problems(read(PROPERTIES), sources, read(DOC));
        assertThat(problems)
                .as("docs/configuration.md against microprofile-config.properties and @ConfigProperty")
                .isEmpty();
    }

    @Test
    void findsMissingWrongAndStaleKeys() {
        String properties = "# comment\na.b=1\n# a.example=https://x\n";
        String source = "@ConfigProperty(name = \"a.code\", defaultValue = \"7\") int x;\n"
                + "@ConfigProperty(\n  name = \"a.b\",\n  defaultValue = \"2\") int y;\n"
                + "@ConfigProperty(name = \"a.none\") Optional<String> z;";
        String doc = "| key | default | meaning |\n|---|---|---|\n"
                + "| `a.b` | `2` | wrong default |\n"
                + "| `a.example` | unset | fine |\n"
                + "| `a.gone` | `3` | stale |\n";
        assertThat(problems(properties, List.of(source), doc))
                .containsExactlyInAnyOrder(
                        "a.b: documented default '`2`' is not `1`",
                        "a.code: not documented (default `7`)",
                        "a.none: not documented (default unset)",
                        "a.gone: documented but no longer in the properties file or the code");
        String good =
                "| `a.b` | `1` | x |\n| `a.example` | unset | x |\n| `a.code` | `7` | x |\n| `a.none` | unset | x |\n";
        assertThat(problems(properties, List.of(source), good)).isEmpty();
    }

    static List<String> problems(String properties, List<String> javaSources, String doc) {
        Map<String, Key> keys = keys(properties, javaSources);
        Map<String, List<String>> documented = new LinkedHashMap<>();
        Matcher row = DOC_ROW.matcher(doc);
        while (row.find()) {
            documented
                    .computeIfAbsent(row.group(1), k -> new ArrayList<>())
                    .add(row.group(2).trim());
        }
        List<String> problems = new ArrayList<>();
        for (Key key : keys.values()) {
            String expected = key.defaultValue().map(v -> "`" + v + "`").orElse("unset");
            List<String> cells = documented.get(key.name());
            if (cells == null) {
                problems.add(key.name() + ": not documented (default " + expected + ")");
                continue;
            }
            for (String cell : cells) {
                boolean ok = key.defaultValue().isPresent()
                        ? cell.contains(expected)
                        : cell.toLowerCase().contains("unset");
                if (!ok) {
                    problems.add(key.name() + ": documented default '" + cell + "' is not " + expected);
                }
            }
        }
        for (String name : documented.keySet()) {
            if (!keys.containsKey(name)) {
                problems.add(name + ": documented but no longer in the properties file or the code");
            }
        }
        return problems;
    }

    /** The properties file's value wins over a code default: it is what the application runs with. */
    static Map<String, Key> keys(String properties, List<String> javaSources) {
        Map<String, Key> keys = new LinkedHashMap<>();
        for (String source : javaSources) {
            Matcher m = CONFIG_PROPERTY.matcher(source);
            while (m.find()) {
                Optional<String> value = Optional.ofNullable(m.group(2)).map(v -> v.replace("\\\"", "\""));
                keys.merge(
                        m.group(1),
                        new Key(m.group(1), value),
                        (a, b) -> a.defaultValue().isPresent() ? a : b);
            }
        }
        for (String line : properties.split("\\R")) {
            String trimmed = line.strip();
            Matcher active = ACTIVE.matcher(trimmed);
            Matcher example = EXAMPLE.matcher(trimmed);
            if (active.matches()) {
                keys.put(
                        active.group(1),
                        new Key(active.group(1), Optional.of(active.group(2).strip())));
            } else if (example.matches()) {
                keys.putIfAbsent(example.group(1), new Key(example.group(1), Optional.empty()));
            }
        }
        return keys;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
