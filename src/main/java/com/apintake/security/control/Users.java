package com.apintake.security.control;

import com.apintake.audit.control.AuditTrail;
import com.apintake.platform.boundary.Problem;
import com.apintake.platform.entity.Refused;
import com.apintake.security.entity.Roles;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The users of the API and their roles. These tables are not granted to ap_app: this class reads
 * them as the pool's own user, and only the identity store and the user-admin endpoints call it. At
 * least one enabled dba and one enabled user-admin always remain, so nobody can lock the operators out by accident.
 */
@ApplicationScoped
public class Users {

    /** A user as the API shows it: never the password or its hash. */
    public record User(
            String username,
            Set<String> roles,
            boolean enabled,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {}

    /** What the identity store checks a login against. */
    public record Credentials(String passwordHash, boolean enabled, Set<String> roles) {}

    static final String SELECT = """
            SELECT u.username, u.enabled, u.created_by, u.created_at, u.updated_at,
                   coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
            FROM users u LEFT JOIN user_roles r ON r.user_id = u.id""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Passwords passwords;

    @Inject
    AuditTrail audit;

    @Inject
    UserStore userStore;

    @Inject
    Caller caller;

    public long count() {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM users")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Counting users failed", e);
        }
    }

    public Optional<Credentials> credentials(String username) {
        String sql = """
                SELECT u.password_hash, u.enabled, coalesce(array_agg(r.role) FILTER (WHERE r.role IS NOT NULL), '{}')
                FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.username = ? GROUP BY u.id""";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            statement.setString(1, username);
            try (var rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Credentials(rows.getString(1), rows.getBoolean(2), roles(rows.getArray(3))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the credentials of a user failed", e);
        }
    }

    public List<User> list() {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(SELECT + " GROUP BY u.id ORDER BY u.username")) {
            List<User> users = new ArrayList<>();
            while (rows.next()) {
                users.add(user(rows));
            }
            return users;
        } catch (SQLException e) {
            throw new IllegalStateException("Listing users failed", e);
        }
    }

    public Optional<User> find(String username) {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, username);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading a user failed", e);
        }
    }

    @Transactional
    public User create(String username, String password, Collection<String> roles) {
        if (username == null || !username.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
            throw Problem.of(
                    Response.Status.BAD_REQUEST,
                    "A username is 1-64 letters, digits and . _ @ - (starting with a letter or digit).");
        }
        Set<String> checked = checkedRoles(roles);
        String hash = passwordHash(password);
        try (Connection connection = dataSource.getConnection()) {
            serialise(connection);
            long id;
            try (var insert = connection.prepareStatement(
                    "INSERT INTO users (username, password_hash, created_by) VALUES (?, ?, ?)"
                            + " ON CONFLICT (username) DO NOTHING RETURNING id")) {
                insert.setString(1, username);
                insert.setString(2, hash);
                insert.setString(3, caller.name());
                try (var rows = insert.executeQuery()) {
                    if (!rows.next()) {
                        throw Problem.of(Response.Status.CONFLICT, "A user " + username + " exists already.");
                    }
                    id = rows.getLong(1);
                }
            }
            setRoles(connection, id, checked);
            audit.record(connection, "user.create", username, "roles " + String.join(",", checked));
            return find(connection, username).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Creating user " + username + " failed", e);
        }
    }

    /**
     * Changes what is given (null leaves it as it is). Nobody changes their own roles or enabled
     * state: a user-admin cannot grant themselves more, and a second user-admin has to agree to it.
     */
    @Transactional
    public User update(String username, String password, Collection<String> roles, Boolean enabled) {
        if (username.equals(caller.name()) && (roles != null || enabled != null)) {
            throw new Refused(
                    Refused.Reason.NOT_ALLOWED,
                    "Nobody changes their own roles or enabled state; another user with the role " + Roles.USER_ADMIN
                            + " has to.");
        }
        Set<String> checked = roles == null ? null : checkedRoles(roles);
        String hash = password == null ? null : passwordHash(password);
        try (Connection connection = dataSource.getConnection()) {
            serialise(connection);
            long id = idOf(connection, username);
            Set<String> before = find(connection, username).orElseThrow().roles();
            try (var update = connection.prepareStatement(
                    "UPDATE users SET password_hash = coalesce(?, password_hash), enabled = coalesce(?, enabled),"
                            + " updated_at = now() WHERE id = ?")) {
                update.setString(1, hash);
                update.setObject(2, enabled);
                update.setLong(3, id);
                update.executeUpdate();
            }
            if (checked != null) {
                setRoles(connection, id, checked);
            }
            requireAnOperator(connection);
            List<String> changed = new ArrayList<>();
            if (hash != null) {
                changed.add("password");
            }
            if (checked != null) {
                changed.add("roles " + String.join(",", before) + " -> " + String.join(",", checked));
            }
            if (enabled != null) {
                changed.add(enabled ? "enabled" : "disabled");
            }
            audit.record(connection, "user.update", username, String.join("; ", changed));
            userStore.forget(username);
            return find(connection, username).orElseThrow();
        } catch (SQLException e) {
            throw new IllegalStateException("Changing user " + username + " failed", e);
        }
    }

    @Transactional
    public void delete(String username) {
        try (Connection connection = dataSource.getConnection()) {
            serialise(connection);
            long id = idOf(connection, username);
            try (var delete = connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
                delete.setLong(1, id);
                delete.executeUpdate();
            }
            requireAnOperator(connection);
            audit.record(connection, "user.delete", username, null);
            userStore.forget(username);
        } catch (SQLException e) {
            throw new IllegalStateException("Deleting user " + username + " failed", e);
        }
    }

    private String passwordHash(String password) {
        String weakness = passwords.weakness(password);
        if (weakness != null) {
            throw Problem.of(Response.Status.BAD_REQUEST, weakness);
        }
        return passwords.hash(password.toCharArray());
    }

    private static Set<String> checkedRoles(Collection<String> roles) {
        if (roles == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "Give the user's roles, some of " + Roles.ALL + ".");
        }
        Set<String> checked = new TreeSet<>();
        for (String role : roles) {
            if (!Roles.ALL.contains(role)) {
                throw Problem.of(
                        Response.Status.BAD_REQUEST, "Unknown role '" + role + "'; roles are " + Roles.ALL + ".");
            }
            checked.add(role);
        }
        return checked;
    }

    /** One user change at a time, so the "one enabled dba remains" check cannot be raced. */
    private static void serialise(Connection connection) throws SQLException {
        try (var lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('ap-intake.users'))")) {
            lock.execute();
        }
    }

    /** At least one enabled dba (runs the database side) and one enabled user-admin (manages users) remain. */
    private static void requireAnOperator(Connection connection) throws SQLException {
        for (String role : List.of(Roles.DBA, Roles.USER_ADMIN)) {
            try (var count = connection.prepareStatement("SELECT count(*) FROM users u JOIN user_roles r"
                    + " ON r.user_id = u.id WHERE r.role = ? AND u.enabled")) {
                count.setString(1, role);
                try (var rows = count.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) == 0) {
                        throw new Refused(
                                Refused.Reason.CONFLICT,
                                "At least one enabled user must keep the role " + role
                                        + ", or nobody could "
                                        + (role.equals(Roles.DBA) ? "run the database side" : "manage users")
                                        + " any more.");
                    }
                }
            }
        }
    }

    private static long idOf(Connection connection, String username) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT id FROM users WHERE username = ? FOR UPDATE")) {
            statement.setString(1, username);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw Problem.of(Response.Status.NOT_FOUND, "No user " + username + ".");
                }
                return rows.getLong(1);
            }
        }
    }

    private static void setRoles(Connection connection, long id, Set<String> roles) throws SQLException {
        try (var delete = connection.prepareStatement("DELETE FROM user_roles WHERE user_id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
        try (var insert = connection.prepareStatement("INSERT INTO user_roles (user_id, role) VALUES (?, ?)")) {
            for (String role : roles) {
                insert.setLong(1, id);
                insert.setString(2, role);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Optional<User> find(Connection connection, String username) throws SQLException {
        try (var statement = connection.prepareStatement(SELECT + " WHERE u.username = ? GROUP BY u.id")) {
            statement.setString(1, username);
            try (var rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(user(rows)) : Optional.empty();
            }
        }
    }

    private static User user(java.sql.ResultSet rows) throws SQLException {
        return new User(
                rows.getString("username"),
                roles(rows.getArray("roles")),
                rows.getBoolean("enabled"),
                rows.getString("created_by"),
                rows.getObject("created_at", OffsetDateTime.class),
                rows.getObject("updated_at", OffsetDateTime.class));
    }

    private static Set<String> roles(java.sql.Array array) throws SQLException {
        Set<String> roles = new TreeSet<>();
        for (Object role : (Object[]) array.getArray()) {
            roles.add((String) role);
        }
        return roles;
    }
}
