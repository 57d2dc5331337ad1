package com.apintake.tools;

import java.nio.file.Path;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.RollbackCountCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.resource.SearchPathResourceAccessor;

/** Applies the project's changelog from the project folder, exactly as `mvn liquibase:update` does. */
public final class Schema {

    private Schema() {}

    public static void apply(Path basedir, String url, String user, String password) throws Exception {
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new SearchPathResourceAccessor(basedir.toString()),
                "liquibase.analytics.enabled",
                false);
        Scope.child(scope, () -> {
            var command = new CommandScope(UpdateCommandStep.COMMAND_NAME)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.URL_ARG, url)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.USERNAME_ARG, user)
                    .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "liquibase/db.changelog-master.xml");
            if (password != null) {
                command.addArgumentValue(DbUrlConnectionArgumentsCommandStep.PASSWORD_ARG, password);
            }
            command.execute();
        });
    }

    /**
     * The changesets `mvn liquibase:status` would list as not yet applied (ids), read through the same
     * search path as the Maven plugin.
     */
    public static java.util.List<String> pending(Path basedir, java.sql.Connection connection) throws Exception {
        var database = liquibase.database.DatabaseFactory.getInstance()
                .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(connection));
        Map<String, Object> scope = Map.of("liquibase.analytics.enabled", false);
        return Scope.child(scope, () -> {
            try (var accessor = new SearchPathResourceAccessor(basedir.toString())) {
                @SuppressWarnings("deprecation")
                var liquibase = new liquibase.Liquibase("liquibase/db.changelog-master.xml", accessor, database);
                return liquibase.listUnrunChangeSets(new liquibase.Contexts(), new liquibase.LabelExpression()).stream()
                        .map(changeSet -> changeSet.getId())
                        .toList();
            }
        });
    }

    /** Rolls back the newest count changesets, as `mvn liquibase:rollback -Dliquibase.rollbackCount=N` does. */
    public static void rollbackCount(Path basedir, String url, String user, String password, int count)
            throws Exception {
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new SearchPathResourceAccessor(basedir.toString()),
                "liquibase.analytics.enabled",
                false);
        Scope.child(scope, () -> {
            var command = new CommandScope(RollbackCountCommandStep.COMMAND_NAME)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.URL_ARG, url)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.USERNAME_ARG, user)
                    .addArgumentValue(
                            liquibase.command.core.helpers.DatabaseChangelogCommandStep.CHANGELOG_FILE_ARG,
                            "liquibase/db.changelog-master.xml")
                    .addArgumentValue(RollbackCountCommandStep.COUNT_ARG, count);
            if (password != null) {
                command.addArgumentValue(DbUrlConnectionArgumentsCommandStep.PASSWORD_ARG, password);
            }
            command.execute();
        });
    }
}
