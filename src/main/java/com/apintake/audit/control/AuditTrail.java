package com.apintake.audit.control;

import com.apintake.platform.control.ReadSource;
import com.apintake.platform.control.Sql;
import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The append-only audit_log: who did what to which subject, and when. Written in the transaction of
 * the change it describes, so a change and its entry commit or roll back together. The actor is the
 * caller ({@link Caller#name()}); PostgreSQL refuses an entry in anyone else's name on a scoped
 * connection, and refuses UPDATE, DELETE and TRUNCATE always.
 */
@ApplicationScoped
public class AuditTrail {

    /** One entry. action is "component.verb" (invoice.upload, vendor.update, user.create, backup.verify, ...). */
    public record Entry(long id, OffsetDateTime at, String actor, String action, String subject, String detail) {}

    static final String INSERT = "INSERT INTO audit_log (actor, action, subject, detail) VALUES (?, ?, ?, ?)";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    @Inject
    ReadSource reads;

    /** Records an action on the connection of the change itself. Never put secrets or bank details in detail. */
    public void record(Connection connection, String action, String subject, String detail) throws SQLException {
        try (var statement = connection.prepareStatement(INSERT)) {
            statement.setString(1, caller.name());
            statement.setString(2, action);
            statement.setString(3, subject);
            statement.setString(4, detail);
            statement.executeUpdate();
        }
    }

    /** Records an action in the caller's transaction through platform/control/Sql. */
    public void record(Sql sql, String action, String subject, String detail) {
        sql.update(INSERT, caller.name(), action, subject, detail);
    }

    static final String INSERT_ALL = """
            INSERT INTO audit_log (actor, action, subject, detail)
            SELECT ?, ?, subject, detail FROM unnest(?::text[], ?::text[]) AS t(subject, detail)""";

    /**
     * Records the same action on several subjects in the caller's transaction, one statement (a group
     * commit of uploads: one entry per invoice). subjects and details pair up by position.
     */
    public void recordAll(Sql sql, String action, List<String> subjects, List<String> details) {
        if (subjects.isEmpty()) {
            return;
        }
        sql.update(INSERT_ALL, caller.name(), action, Sql.array("text", subjects), Sql.array("text", details));
    }

    /** Records an action that has no database transaction of its own (a backup file written, a restore drill). */
    @Transactional
    public void record(String action, String subject, String detail) {
        try (Connection connection = dataSource.getConnection()) {
            caller.scope(connection);
            record(connection, action, subject, detail);
        } catch (SQLException e) {
            throw new IllegalStateException("Writing the audit entry " + action + " failed", e);
        }
    }

    /**
     * Newest first; before is the id of the last entry of the previous page. Only dba callers see any (row-level
     * security). A report that may be a few seconds behind: it reads the replica when one is in sync, in a
     * read-only transaction of its own on that connection (this method joins no JTA transaction).
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public List<Entry> list(String actor, String action, Long before, int limit) {
        StringBuilder sql =
                new StringBuilder("SELECT id, at, actor, action, subject, detail FROM audit_log WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (actor != null) {
            sql.append(" AND actor = ?");
            parameters.add(actor);
        }
        if (action != null) {
            sql.append(" AND action = ?");
            parameters.add(action);
        }
        if (before != null) {
            sql.append(" AND id < ?");
            parameters.add(before);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        parameters.add(limit);
        try {
            return reads.read(connection -> read(connection, sql.toString(), parameters));
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the audit trail failed", e);
        }
    }

    private List<Entry> read(Connection connection, String sql, List<Object> parameters) throws SQLException {
        caller.scope(connection);
        try (var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            try (var rows = statement.executeQuery()) {
                List<Entry> entries = new ArrayList<>();
                while (rows.next()) {
                    entries.add(new Entry(
                            rows.getLong(1),
                            rows.getObject(2, OffsetDateTime.class),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getString(6)));
                }
                return entries;
            }
        }
    }
}
