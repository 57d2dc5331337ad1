package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.resource.SearchPathResourceAccessor;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An unused index and a redundant one, created for real on a table of 100 k rows, are recommended
 * for removal with a Liquibase changeSet that applies as it stands; the seven Liquibase-owned
 * indexes, unused on the test database too, are never recommended with such little evidence, and a
 * twin of one of them is the one to go.
 */
@ExtendWith(ArquillianExtension.class)
class RecommendationsIT {

    static final Set<String> SEVEN = Set.of(
            "idx_invoices_file_hash_created",
            "idx_invoices_workflow_status_created",
            "idx_exceptions_resolved_created",
            "idx_invoices_vendor_created_status",
            "idx_extractions_created_confidence",
            "idx_validations_passed_created",
            "idx_staged_exports_status_created");

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void unusedAndDuplicateIndexesAreRecommendedForRemovalButNeverTheSeven() throws Exception {
        try (Connection connection = TestEnvironment.connect();
                var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS it_reco_probe");
            statement.execute("CREATE TABLE it_reco_probe AS SELECT g AS id, g * 2 AS a, g % 7 AS b, g * 3 AS c"
                    + " FROM generate_series(1, 100000) g");
            statement.execute("CREATE INDEX it_reco_unused ON it_reco_probe (c)");
            statement.execute("CREATE INDEX it_reco_dup ON it_reco_probe (a)");
            statement.execute("CREATE INDEX it_reco_dup_wide ON it_reco_probe (a, b)");
            statement.execute("CREATE INDEX it_reco_twin ON invoices (workflow_status, created_at DESC)");
            try {
                List<JsonObject> recommendations = recommendations();
                JsonObject unused = find(recommendations, "unused_index", "public.it_reco_unused");
                assertThat(unused.getString("severity")).isEqualTo("warning");
                assertThat(unused.getJsonObject("evidence")
                                .getJsonNumber("indexBytes")
                                .longValue())
                        .isGreaterThanOrEqualTo(1 << 20);
                assertThat(unused.getString("fixType")).isEqualTo("liquibase");
                assertThat(unused.getString("fix"))
                        .contains("runInTransaction:false")
                        .contains("DROP INDEX CONCURRENTLY IF EXISTS public.it_reco_unused;")
                        .contains(
                                "--rollback CREATE INDEX CONCURRENTLY IF NOT EXISTS it_reco_unused ON public.it_reco_probe USING btree (c);");

                JsonObject duplicate = find(recommendations, "duplicate_index", "public.it_reco_dup");
                assertThat(duplicate.getJsonObject("evidence").getString("coveredBy"))
                        .isEqualTo("public.it_reco_dup_wide");
                assertThat(recommendations)
                        .noneMatch(r -> r.getString("kind").equals("duplicate_index")
                                && r.getString("object").equals("public.it_reco_dup_wide"));

                JsonObject twin = find(recommendations, "duplicate_index", "public.it_reco_twin");
                assertThat(twin.getJsonObject("evidence").getString("coveredBy"))
                        .isEqualTo("public.idx_invoices_workflow_status_created");

                try (var owned = statement.executeQuery("SELECT count(*) FROM unused_indexes WHERE liquibase_owned")) {
                    owned.next();
                    assertThat(owned.getInt(1))
                            .as("the seven are unused on the test database too")
                            .isPositive();
                }
                assertThat(recommendations)
                        .filteredOn(r -> r.getString("kind").endsWith("_index"))
                        .extracting(r -> r.getString("object").replace("public.", ""))
                        .doesNotContainAnyElementsOf(SEVEN);

                // The fix is a ready changeSet: Liquibase applies it as it stands, and the index is gone.
                apply(duplicate.getString("fix"));
                try (var rows = statement.executeQuery("SELECT to_regclass('it_reco_dup') IS NULL")) {
                    rows.next();
                    assertThat(rows.getBoolean(1)).isTrue();
                }
            } finally {
                statement.execute("DROP TABLE IF EXISTS it_reco_probe");
                statement.execute("DROP INDEX IF EXISTS it_reco_twin");
                statement.execute("DROP TABLE IF EXISTS it_reco_changelog");
                statement.execute("DROP TABLE IF EXISTS it_reco_changelog_lock");
            }
        }
    }

    /** Applies the changeSet with its own changelog table, so the application's databasechangelog stays as it was. */
    private static void apply(String changeSet) throws Exception {
        Path folder = Path.of(System.getProperty("apintake.basedir"), "target/it/recommendation-fix");
        Files.createDirectories(folder);
        Files.writeString(
                folder.resolve("fix.sql"), "--liquibase formatted sql\n\n" + changeSet, StandardCharsets.UTF_8);
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new SearchPathResourceAccessor(folder.toString()),
                "liquibase.analytics.enabled",
                false,
                "liquibase.databaseChangeLogTableName",
                "it_reco_changelog",
                "liquibase.databaseChangeLogLockTableName",
                "it_reco_changelog_lock");
        Scope.child(
                scope,
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(
                                DbUrlConnectionArgumentsCommandStep.URL_ARG,
                                TestEnvironment.postgres().jdbcUrl(TestEnvironment.DATABASE))
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.USERNAME_ARG, TestEnvironment.USER)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "fix.sql")
                        .execute());
    }

    private List<JsonObject> recommendations() {
        var answer = Http.get(base, "/api/v1/database/recommendations");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.<JsonArray>json().getValuesAs(JsonObject.class);
    }

    private static JsonObject find(List<JsonObject> recommendations, String kind, String object) {
        return recommendations.stream()
                .filter(r -> r.getString("kind").equals(kind)
                        && r.getString("object").equals(object))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " for " + object + " in " + recommendations));
    }
}
