package com.apintake.security.control;

import com.apintake.platform.control.Migrations;
import com.apintake.security.entity.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * There is no default password. The first user is created at start-up from the environment
 * variables ADMIN_USER and ADMIN_PASSWORD, holding all four roles, and only while no user exists;
 * without them the log says how to create one. Once users exist, the variables are ignored and
 * users are managed with /api/v1/users.
 */
@ApplicationScoped
public class FirstUser {

    private static final Logger LOG = Logger.getLogger(FirstUser.class.getName());

    /** What start-up does about the first user. */
    public enum Plan {
        CREATE,
        USERS_EXIST,
        ASK_FOR_ONE
    }

    static final String HOW_TO =
            "No user can call the API yet. Set ADMIN_USER and ADMIN_PASSWORD in the server's environment and restart:"
                    + " that creates the first user, with the roles ap-clerk, ap-approver, dba and user-admin, who then creates the"
                    + " others with POST /api/v1/users (see README, Security).";

    @Inject
    Users users;

    @Inject
    Caller caller;

    @Inject
    Config config;

    public static Plan plan(long existingUsers, String adminUser, String adminPassword) {
        if (existingUsers > 0) {
            return Plan.USERS_EXIST;
        }
        return blank(adminUser) || blank(adminPassword) ? Plan.ASK_FOR_ONE : Plan.CREATE;
    }

    void atStartup(@Observes Migrations.Applied schema) {
        String adminUser = config.getOptionalValue("ADMIN_USER", String.class).orElse(null);
        String adminPassword =
                config.getOptionalValue("ADMIN_PASSWORD", String.class).orElse(null);
        switch (plan(users.count(), adminUser, adminPassword)) {
            case USERS_EXIST -> {
                if (!blank(adminUser)) {
                    LOG.info(
                            "ADMIN_USER is set but users exist already: nothing created. Manage users with /api/v1/users.");
                }
            }
            case ASK_FOR_ONE -> LOG.warning(HOW_TO);
            case CREATE -> {
                try {
                    caller.runAs(
                            "bootstrap", Set.of(), () -> users.create(adminUser.strip(), adminPassword, Roles.ALL));
                    LOG.info("Created the first user '" + adminUser.strip() + "' with the roles " + Roles.ALL
                            + " from ADMIN_USER and ADMIN_PASSWORD.");
                } catch (RuntimeException e) {
                    LOG.severe("Could not create the first user from ADMIN_USER: " + e.getMessage() + " " + HOW_TO);
                }
            }
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
