package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Monitoring and alerts talk through monitoring's events and entities only, one way. */
class ComponentDependenciesTest {

    private static final Path MAIN = Path.of("src/main/java/com/apintake");

    @Test
    void monitoringNeverImportsTheAlertsComponent() throws IOException {
        assertThat(importsOf("monitoring", "com.apintake.alerts.")).isEmpty();
    }

    @Test
    void alertsReadMonitoringOnlyThroughItsEntities() throws IOException {
        assertThat(importsOf("alerts", "com.apintake.monitoring.control.")).isEmpty();
        assertThat(importsOf("alerts", "com.apintake.monitoring.boundary.")).isEmpty();
    }

    private static List<String> importsOf(String component, String forbidden) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN.resolve(component))) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream()
                                    .filter(l -> l.startsWith("import " + forbidden))
                                    .map(l -> f.getFileName() + ": " + l);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }
    }
}
