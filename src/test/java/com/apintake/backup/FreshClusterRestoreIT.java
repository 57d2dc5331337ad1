package com.apintake.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.platform.control.Migrations;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.PayaraMicroLaunch;
import com.apintake.testsupport.PostgresServer;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full backup restores into a fresh, empty PostgreSQL cluster (its own initdb, port and data folder),
 * with stock tools only, in the order docs/backups-restore.md gives: roles first
 * ({@code gpg --decrypt roles.sql.gpg | psql}), then the database ({@code gpg --decrypt x.dump.gpg |
 * pg_restore}) with owners and grants as they were. "The application boots on it" is checked at the
 * schema level, what the application does first at boot: its Liquibase changelog, run against the
 * restored database, finds nothing to apply. (Booting a second Payara Micro here would cost ~20-60 s
 * more under load and test the same thing.)
 */
@ExtendWith(ArquillianExtension.class)
class FreshClusterRestoreIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    java.net.URL base;

    @Test
    void aFullBackupRestoresIntoAFreshClusterWithItsRolesAndTheSchemaIsCurrent() throws Exception {
        BackupApi.seed("bk-fresh", 150);
        JsonObject backup = BackupApi.backup(base, "full");
        Path directory = Path.of(backup.getString("directory"));
        var names = backup.getJsonArray("files").getValuesAs(JsonObject.class).stream()
                .map(file -> file.getString("name"))
                .toList();
        assertThat(names).containsExactly(TestEnvironment.DATABASE + ".dump.gpg", "roles.sql.gpg");

        Path work = Path.of(System.getProperty("apintake.basedir"), "target/it/fresh-cluster");
        Folders.deleteRecursively(work);
        PostgresServer fresh =
                new PostgresServer(work.resolve("data"), PayaraMicroLaunch.freePort(), TestEnvironment.USER, null);
        try {
            fresh.start();
            Map<String, String> connection = connection(fresh, "postgres");

            // 1. Roles (the database's owner, ap_app and its grants); "role postgres already exists" is expected.
            var roles = pipe(directory.resolve("roles.sql.gpg"), List.of(BackupApi.PG_BIN + "/psql", "-q"), connection);
            assertThat(roles.exit()).as(roles.output()).isZero();
            // 2. The database, with owners and grants as they were.
            fresh.createDatabaseIfMissing(TestEnvironment.DATABASE);
            var restored = pipe(
                    directory.resolve(TestEnvironment.DATABASE + ".dump.gpg"),
                    List.of(
                            BackupApi.PG_BIN + "/pg_restore",
                            "--dbname=" + TestEnvironment.DATABASE,
                            "--exit-on-error"),
                    connection);
            assertThat(restored.exit()).as(restored.output()).isZero();

            try (Connection db = fresh.connect(TestEnvironment.DATABASE)) {
                for (JsonObject table : backup.getJsonArray("tables").getValuesAs(JsonObject.class)) {
                    assertThat(BackupApi.count(db, table.getString("table")))
                            .as("restored " + table.getString("table"))
                            .isEqualTo(table.getJsonNumber("rows").longValue());
                }
                try (var rows =
                        db.createStatement().executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'ap_app'")) {
                    rows.next();
                    assertThat(rows.getInt(1)).as("role ap_app restored").isOne();
                }
                long applied = BackupApi.count(db, "databasechangelog");
                migrate(db);
                assertThat(BackupApi.count(db, "databasechangelog"))
                        .as("the application's changelog finds the restored schema current")
                        .isEqualTo(applied);
                try (var rows = db.createStatement()
                        .executeQuery("SELECT has_table_privilege('ap_app', 'invoices', 'INSERT')")) {
                    rows.next();
                    assertThat(rows.getBoolean(1)).as("grants restored").isTrue();
                }
            }
        } finally {
            fresh.stop();
            Folders.deleteRecursively(work);
        }
    }

    private static BackupApi.Result pipe(Path encrypted, List<String> consumer, Map<String, String> environment)
            throws Exception {
        List<String> gpg = new ArrayList<>(BackupApi.gpg(BackupApi.key()));
        gpg.addAll(List.of("--decrypt", encrypted.toString()));
        String command = "set -o pipefail; " + quote(gpg) + " | " + quote(consumer);
        return BackupApi.run(List.of("bash", "-c", command), environment);
    }

    private static Map<String, String> connection(PostgresServer server, String database) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", "127.0.0.1");
        environment.put("PGPORT", Integer.toString(server.port()));
        environment.put("PGUSER", TestEnvironment.USER);
        environment.put("PGDATABASE", database);
        return environment;
    }

    private static String quote(List<String> words) {
        return String.join(
                " ",
                words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    private static void migrate(Connection connection) throws Exception {
        var database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        Scope.child(
                Map.of(
                        Scope.Attr.resourceAccessor.name(),
                        new ClassLoaderResourceAccessor(FreshClusterRestoreIT.class.getClassLoader()),
                        "liquibase.analytics.enabled",
                        false),
                () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, Migrations.CHANGELOG)
                        .execute());
    }
}
