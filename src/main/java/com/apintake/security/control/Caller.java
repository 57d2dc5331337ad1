package com.apintake.security.control;

import com.apintake.security.entity.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import java.security.Principal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Who is asking: the authenticated user of the request, or a named system task (the inbox, the
 * export timer) with the roles it acts with. {@link #scope(Connection)} hands that to PostgreSQL,
 * whose policies then decide what the transaction may read and write, whatever the Java query says.
 */
@ApplicationScoped
public class Caller {

    /** The role business queries run under: not the owner, so row-level security and column privileges apply. */
    public static final String DATABASE_ROLE = "ap_app";

    static final String SCOPE = "SELECT set_config('role', '" + DATABASE_ROLE + "', true),"
            + " set_config('app.user', ?, true), set_config('app.roles', ?, true)";

    private record SystemActor(String name, Set<String> roles) {}

    private static final ThreadLocal<SystemActor> SYSTEM = new ThreadLocal<>();

    @Inject
    SecurityContext security;

    /** The user name, "system:<task>" for a system task, "anonymous" when nobody is authenticated. */
    public String name() {
        SystemActor system = SYSTEM.get();
        if (system != null) {
            return system.name();
        }
        Principal principal = principal();
        return principal == null ? "anonymous" : principal.getName();
    }

    /** The caller's roles among {@link Roles#ALL}; empty for anonymous. */
    public Set<String> roles() {
        SystemActor system = SYSTEM.get();
        if (system != null) {
            return system.roles();
        }
        return principal() == null ? new LinkedHashSet<>() : requestRoles();
    }

    /**
     * The system task running on this thread, or null when the work is the request's (its caller cannot
     * change within a transaction). No look-up in the security context: Sql asks it for every statement
     * to know whether its transaction is scoped to whoever runs now.
     */
    public String systemTask() {
        SystemActor system = SYSTEM.get();
        return system == null ? null : system.name();
    }

    private Set<String> requestRoles() {
        Set<String> roles = new LinkedHashSet<>();
        for (String role : Roles.ALL) {
            if (security.isCallerInRole(role)) {
                roles.add(role);
            }
        }
        return roles;
    }

    /**
     * Runs the rest of this transaction as {@value #DATABASE_ROLE} with the caller's name and roles
     * (app.user, app.roles). Transaction-local: it ends with the commit or rollback, so a pooled
     * connection never carries one caller's rights to the next. Call it right after getConnection()
     * in a {@code @Transactional} method; outside a transaction it refuses, rather than run unscoped.
     */
    public void scope(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement(SCOPE)) {
            statement.setString(1, name());
            statement.setString(2, String.join(",", roles()));
            statement.execute();
        }
        // SET LOCAL outside a transaction block lasts one statement: then the next query would run
        // with the pool user's rights. Refuse rather than run unscoped.
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT current_user")) {
            rows.next();
            if (!DATABASE_ROLE.equals(rows.getString(1))) {
                throw new IllegalStateException(
                        "Caller.scope needs a transaction: annotate the control method @Transactional");
            }
        }
    }

    /**
     * As {@link #scope(Connection)}, in one round trip instead of two: a connection the container has
     * enlisted in a transaction has auto-commit off, which is checked on the client. Used by
     * platform/control/Sql once per transaction.
     */
    public void scopeInTransaction(Connection connection) throws SQLException {
        if (connection.getAutoCommit()) {
            throw new IllegalStateException(
                    "Caller.scope needs a transaction: annotate the control method @Transactional");
        }
        String name;
        Set<String> roles;
        SystemActor system = SYSTEM.get();
        if (system != null) {
            name = system.name();
            roles = system.roles();
        } else {
            // One look-up of the principal (Soteria resolves it by reflection each time), not one per question.
            Principal principal = principal();
            name = principal == null ? "anonymous" : principal.getName();
            roles = principal == null ? Set.of() : requestRoles();
        }
        try (var statement = connection.prepareStatement(SCOPE)) {
            statement.setString(1, name);
            statement.setString(2, String.join(",", roles));
            statement.execute();
        }
    }

    /** Runs work as a system task: timers have no user, so they say who they are and which roles they act with. */
    public <T> T runAs(String task, Set<String> roles, Supplier<T> work) {
        SystemActor previous = SYSTEM.get();
        SYSTEM.set(new SystemActor("system:" + task, Set.copyOf(roles)));
        try {
            return work.get();
        } finally {
            if (previous == null) {
                SYSTEM.remove();
            } else {
                SYSTEM.set(previous);
            }
        }
    }

    private Principal principal() {
        try {
            return security.getCallerPrincipal();
        } catch (RuntimeException noSecurityContextHere) {
            return null;
        }
    }
}
