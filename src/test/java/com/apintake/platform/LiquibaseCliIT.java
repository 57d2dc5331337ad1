package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.TestEnvironment;
import com.apintake.tools.Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The changelog applied from the project folder, as `mvn liquibase:update` does (searchPath = the
 * project root), gives the same schema and the same databasechangelog rows as the application's
 * own start-up run, and finds nothing left to do on the application's database.
 */
@ExtendWith(ArquillianExtension.class)
class LiquibaseCliIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    static final String CLI_DATABASE = "ap_intake_cli";

    @Test
    void theProjectFolderChangelogAgreesWithTheApplication() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.dropDatabaseIfExists(CLI_DATABASE);
        postgres.createDatabaseIfMissing(CLI_DATABASE);
        try {
            update(postgres.jdbcUrl(CLI_DATABASE));
            try (Connection app = TestEnvironment.connect();
                    Connection cli = postgres.connect(CLI_DATABASE)) {
                assertThat(rows(cli, CHANGELOG)).isEqualTo(rows(app, CHANGELOG));
                assertThat(rows(cli, INDEXES)).isEqualTo(rows(app, INDEXES));
                assertThat(rows(cli, VIEWS)).isEqualTo(rows(app, VIEWS));
                assertThat(rows(cli, TABLE_OPTIONS)).isEqualTo(rows(app, TABLE_OPTIONS));
            }
            try (Connection app = TestEnvironment.connect()) {
                List<String> before = rows(app, CHANGELOG);
                update(postgres.jdbcUrl(TestEnvironment.DATABASE));
                assertThat(rows(app, CHANGELOG)).as("nothing new applied").isEqualTo(before);
            }
        } finally {
            postgres.dropDatabaseIfExists(CLI_DATABASE);
        }
    }

    /** `mvn liquibase:status` after the application started: nothing pending, no runAlways noise. */
    @Test
    void statusListsNothingPendingOnceTheApplicationHasStarted() throws Exception {
        try (Connection app = TestEnvironment.postgres().connect(TestEnvironment.DATABASE)) {
            assertThat(Schema.pending(Path.of(System.getProperty("apintake.basedir")), app))
                    .as("changesets liquibase:status would list")
                    .isEmpty();
        }
    }

    static final String ROLLBACK_DATABASE = "ap_intake_rollback";

    /** A DBA's habit: roll back the newest changeset, update again, and the schema is as before. */
    @Test
    void rollingBackTheNewestChangesetAndUpdatingAgainLeavesTheSameSchema() throws Exception {
        var postgres = TestEnvironment.postgres();
        postgres.dropDatabaseIfExists(ROLLBACK_DATABASE);
        postgres.createDatabaseIfMissing(ROLLBACK_DATABASE);
        String url = postgres.jdbcUrl(ROLLBACK_DATABASE);
        try (Connection db = postgres.connect(ROLLBACK_DATABASE)) {
            update(url);
            List<String> changelog = rows(db, CHANGELOG_IDS);
            String newest = rows(db, CHANGELOG_IDS + " DESC LIMIT 1").get(0);
            List<String> schema = schema(db);
            Schema.rollbackCount(Path.of(System.getProperty("apintake.basedir")), url, TestEnvironment.USER, null, 1);
            List<String> rolledBack = new ArrayList<>(changelog);
            rolledBack.remove(newest);
            assertThat(rows(db, CHANGELOG_IDS))
                    .as("the newest changeset (%s) is rolled back", newest)
                    .containsExactlyInAnyOrderElementsOf(rolledBack);
            update(url);
            assertThat(rows(db, CHANGELOG_IDS)).containsExactlyInAnyOrderElementsOf(changelog);
            assertThat(schema(db)).isEqualTo(schema);
        } finally {
            postgres.dropDatabaseIfExists(ROLLBACK_DATABASE);
        }
    }

    private static List<String> schema(Connection db) throws SQLException {
        List<String> schema = new ArrayList<>(rows(db, COLUMNS));
        schema.addAll(rows(db, CONSTRAINTS));
        schema.addAll(rows(db, INDEXES));
        schema.addAll(rows(db, VIEWS));
        schema.addAll(rows(db, TABLE_OPTIONS));
        return schema;
    }

    static final String CHANGELOG_IDS =
            "SELECT id || ' ' || author || ' ' || filename FROM databasechangelog ORDER BY orderexecuted";
    static final String COLUMNS =
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')"
                    + " FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'databasechangelog%'"
                    + " ORDER BY table_name, column_name";
    static final String CONSTRAINTS =
            "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE connamespace = 'public'::regnamespace ORDER BY 1";

    static final String CHANGELOG =
            "SELECT id || ' ' || author || ' ' || filename || ' ' || md5sum FROM databasechangelog ORDER BY id";
    static final String INDEXES =
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE 'databasechangelog%' ORDER BY indexname";
    static final String VIEWS =
            "SELECT viewname || ': ' || definition FROM pg_views WHERE schemaname = 'public' ORDER BY viewname";
    static final String TABLE_OPTIONS =
            "SELECT relname || ' ' || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname";

    private static void update(String url) throws Exception {
        Schema.apply(Path.of(System.getProperty("apintake.basedir")), url, TestEnvironment.USER, null);
    }

    private static List<String> rows(Connection connection, String sql) throws SQLException {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
