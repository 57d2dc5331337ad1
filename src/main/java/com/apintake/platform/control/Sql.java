package com.apintake.platform.control;

import com.apintake.security.control.Caller;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The one way our controls talk to PostgreSQL: query, update and batch with parameters in order and
 * rows read by column name. Every call runs in the caller's transaction (one is started when there is
 * none) on the pool's connection for that transaction, scoped to the caller once per transaction
 * ({@link Caller#scopeInTransaction}), so row-level security applies to everything without each
 * method repeating it. A failed statement becomes {@link DatabaseUnavailableException} when the
 * database is away (HTTP 503), {@link DataRejectedException} when PostgreSQL refuses a value (422),
 * else an IllegalStateException naming what was attempted.
 */
@ApplicationScoped
@Transactional
public class Sql {

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(Row row) throws SQLException;
    }

    private static final String SCOPED = Sql.class.getName() + ".scopedAs";

    /** The registry's mark for a transaction scoped to the request's caller (not a system task). */
    private static final String REQUEST_CALLER = "request caller";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Resource
    TransactionSynchronizationRegistry transaction;

    @Inject
    Caller caller;

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        try (Connection connection = connection();
                PreparedStatement statement = prepare(connection, sql, parameters);
                ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            Row row = new Row(rows);
            while (rows.next()) {
                result.add(mapper.map(row));
            }
            return result;
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    /**
     * A read on a connection the caller chose and closes, such as ReadSource's (the replica when one is
     * in sync): scoped to the caller first, errors translated as for {@link #query}.
     */
    // SUPPORTS: the connection is the caller's, in the caller's transaction if there is one. A JTA transaction
    // started here would end (and reset the connection) in the middle of ReadSource's own read-only one.
    @Transactional(Transactional.TxType.SUPPORTS)
    public <T> List<T> queryOn(Connection connection, String sql, RowMapper<T> mapper, Object... parameters) {
        try {
            caller.scope(connection);
            try (PreparedStatement statement = prepare(connection, sql, parameters);
                    ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                Row row = new Row(rows);
                while (rows.next()) {
                    result.add(mapper.map(row));
                }
                return result;
            }
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    /** The first row, if any. */
    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... parameters) {
        List<T> rows = query(sql, mapper, parameters);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** INSERT, UPDATE, DELETE without RETURNING: the number of rows changed. */
    public int update(String sql, Object... parameters) {
        try (Connection connection = connection();
                PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    /**
     * One statement, many parameter rows, sent together. With reWriteBatchedInserts=true on the pool
     * (server-config) the driver folds an INSERT batch into multi-row INSERTs: one round trip.
     */
    public int[] batch(String sql, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return new int[0];
        }
        try (Connection connection = connection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Object[] parameters : rows) {
                bind(connection, statement, parameters);
                statement.addBatch();
            }
            return statement.executeBatch();
        } catch (SQLException e) {
            throw translate(sql, e);
        }
    }

    /** A text[] (or other array) parameter, e.g. for {@code = ANY (?)} or {@code unnest(?::text[])}. */
    public static Array array(String elementType, List<?> values) {
        return new Array(elementType, values.toArray());
    }

    /** An array parameter: bound with the connection's createArrayOf. */
    public record Array(String elementType, Object[] values) {}

    /** A row of a result, read by column name; nullable getters answer null for SQL NULL. */
    public static final class Row {
        private final ResultSet rows;

        Row(ResultSet rows) {
            this.rows = rows;
        }

        public String string(String column) throws SQLException {
            return rows.getString(column);
        }

        public long longValue(String column) throws SQLException {
            return rows.getLong(column);
        }

        public Long nullableLong(String column) throws SQLException {
            return rows.getObject(column, Long.class);
        }

        public int intValue(String column) throws SQLException {
            return rows.getInt(column);
        }

        public boolean bool(String column) throws SQLException {
            return rows.getBoolean(column);
        }

        public BigDecimal decimal(String column) throws SQLException {
            return rows.getBigDecimal(column);
        }

        public LocalDate date(String column) throws SQLException {
            return rows.getObject(column, LocalDate.class);
        }

        public OffsetDateTime timestamp(String column) throws SQLException {
            return rows.getObject(column, OffsetDateTime.class);
        }

        public byte[] bytes(String column) throws SQLException {
            return rows.getBytes(column);
        }
    }

    /**
     * The transaction's connection, scoped on first use. The container hands every getConnection() of
     * one transaction the same physical connection (one local, non-XA resource per transaction), so
     * the scope set by the first call holds for the rest; it is remembered per transaction and caller.
     */
    private Connection connection() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            // The request's caller is fixed for the transaction; only a system task (Caller.runAs) can change
            // who runs. Asking the security context for the name on every statement cost the 202 path ~2 %.
            String system = caller.systemTask();
            String who = system != null ? system : REQUEST_CALLER;
            if (!who.equals(transaction.getResource(SCOPED))) {
                caller.scopeInTransaction(connection);
                transaction.putResource(SCOPED, who);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            bind(connection, statement, parameters);
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, Object... parameters)
            throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value instanceof Array array) {
                statement.setArray(i + 1, connection.createArrayOf(array.elementType(), array.values()));
            } else if (value instanceof byte[] bytes) {
                statement.setBytes(i + 1, bytes);
            } else if (value instanceof Enum<?> constant) {
                statement.setString(i + 1, constant.name());
            } else {
                statement.setObject(i + 1, value);
            }
        }
    }

    /** What the caller can act on: outage (503), a refused value (422), or a fault naming the statement. */
    public static RuntimeException translate(String sql, SQLException e) {
        if (Unavailability.isOutage(e)) {
            return new DatabaseUnavailableException("Database unavailable", e);
        }
        String state = e.getSQLState();
        if (state != null && (state.startsWith("22") || state.equals("23514"))) {
            return new DataRejectedException(e.getMessage(), e);
        }
        String[] words = sql.strip().split("\\s+", 4);
        String head = String.join(" ", java.util.Arrays.copyOf(words, Math.min(3, words.length)));
        return new IllegalStateException("SQL failed (" + head + " ...): " + state, e);
    }
}
