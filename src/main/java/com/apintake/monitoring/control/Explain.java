package com.apintake.monitoring.control;

import com.apintake.platform.control.Refused;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * EXPLAIN of one SELECT, the safe way: checked to be a single SELECT first ({@link SingleSelect}),
 * then planned in a READ ONLY transaction that is always rolled back, under a statement timeout and a
 * lock timeout, so that neither a write nor a runaway query gets through. Where the plan reads a big
 * table sequentially under a selective filter, the answer carries the index to add as a Liquibase
 * changeSet. The text plan is the planner's (never executed twice); the JSON plan carries the actual
 * figures when analyze was asked for.
 */
@ApplicationScoped
public class Explain {

    private static final Logger LOG = Logger.getLogger(Explain.class.getName());

    /** The suggested index for one sequential scan, with the figures that justify it. */
    public record IndexSuggestion(
            String table,
            List<String> columns,
            String filter,
            double rowsKept,
            double tableRows,
            double selectivity,
            String sql,
            String changeSet) {}

    public record Plan(boolean analyzed, Object json, String text, List<IndexSuggestion> suggestedIndexes) {}

    /** Schema and estimated rows of a relation as the search path resolves it. */
    static final String RELATION = """
            SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass(quote_ident(?))""";

    /** Whether an index of the table already leads with the column: then the planner chose the scan for a reason of its own. */
    static final String LEADING_INDEX = """
            SELECT 1 FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?)) AND a.attname = ?""";

    static final String COLUMN_EXISTS = """
            SELECT 1 FROM pg_attribute
            WHERE attrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?)) AND attname = ? AND attnum > 0
              AND NOT attisdropped""";

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.explain-timeout-ms", defaultValue = "10000")
    long timeoutMillis;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.large-table-rows", defaultValue = "10000")
    long largeTableRows;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.explain-selective-fraction", defaultValue = "0.05")
    double selectiveFraction;

    public Plan explain(String query, boolean analyze) {
        String statement = SingleSelect.of(query, analyze);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (var setup = connection.createStatement()) {
                setup.execute("SET TRANSACTION READ ONLY");
                setup.execute("SET LOCAL statement_timeout = " + timeoutMillis);
                setup.execute("SET LOCAL lock_timeout = " + Math.min(timeoutMillis, 2000));
                String json;
                try (var rows = setup.executeQuery(
                        "EXPLAIN (FORMAT JSON" + (analyze ? ", ANALYZE, BUFFERS" : "") + ") " + statement)) {
                    rows.next();
                    json = rows.getString(1);
                }
                StringBuilder text = new StringBuilder();
                try (var rows = setup.executeQuery("EXPLAIN " + statement)) {
                    while (rows.next()) {
                        text.append(rows.getString(1)).append('\n');
                    }
                }
                JsonArray plan;
                try (var reader = Json.createReader(new StringReader(json))) {
                    plan = reader.readArray();
                }
                List<IndexSuggestion> suggestions = suggestions(connection, plan);
                return new Plan(analyze, plan, text.toString(), suggestions);
            } catch (SQLException e) {
                throw refusal(e);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw LiveQueries.unavailable(e);
        }
    }

    private List<IndexSuggestion> suggestions(Connection connection, JsonArray plan) throws SQLException {
        List<IndexSuggestion> suggestions = new ArrayList<>();
        for (var scan : SeqScanAdvice.filteredScans(plan)) {
            String schema;
            String table;
            double tableRows;
            try (var statement = connection.prepareStatement(RELATION)) {
                statement.setString(1, scan.relation());
                try (var rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        continue;
                    }
                    schema = rows.getString(1);
                    table = rows.getString(2);
                    tableRows = rows.getDouble(3);
                }
            }
            double selectivity = tableRows == 0 ? 1 : scan.rows() / tableRows;
            if (tableRows < largeTableRows || selectivity > selectiveFraction) {
                continue;
            }
            List<String> columns = new ArrayList<>();
            for (String column : scan.indexColumns()) {
                if (exists(connection, COLUMN_EXISTS, schema, table, column)) {
                    columns.add(column);
                }
            }
            if (columns.isEmpty() || exists(connection, LEADING_INDEX, schema, table, columns.get(0))) {
                continue;
            }
            String reason = String.format(
                    Locale.ROOT,
                    "EXPLAIN: a sequential scan of %s (%.0f rows) keeps %.0f rows (%.2f %%) under %s",
                    table,
                    tableRows,
                    scan.rows(),
                    100 * selectivity,
                    scan.filter());
            String changeSet = SeqScanAdvice.changeSet(schema, table, columns, reason);
            String sql = changeSet
                    .lines()
                    .filter(l -> l.startsWith("CREATE INDEX"))
                    .findFirst()
                    .orElseThrow();
            suggestions.add(new IndexSuggestion(
                    schema + "." + table,
                    columns,
                    scan.filter(),
                    scan.rows(),
                    tableRows,
                    Math.round(selectivity * 1_000_000) / 1_000_000.0,
                    sql,
                    changeSet));
        }
        return suggestions;
    }

    private static boolean exists(Connection connection, String sql, String schema, String table, String column)
            throws SQLException {
        try (var statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            statement.setString(3, column);
            try (var rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** PostgreSQL's own word on a query it would not plan or run, without the query text. */
    private static Refused refusal(SQLException e) {
        String state = String.valueOf(e.getSQLState());
        String message =
                String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceFirst("^ERROR: ", "");
        if (state.equals("25006")) {
            return new Refused(
                    Refused.Reason.INVALID, "only read-only queries are explained; PostgreSQL refused: " + message);
        }
        if (state.equals("57014") || state.equals("55P03")) {
            return new Refused(
                    Refused.Reason.UNPROCESSABLE,
                    "the query ran into the explain timeout (statement or lock); explain it without analyze");
        }
        if (state.startsWith("42") || state.startsWith("22") || state.startsWith("0A")) {
            return new Refused(Refused.Reason.INVALID, "PostgreSQL could not plan the query: " + message);
        }
        LOG.warning(() -> "EXPLAIN failed with SQLState " + state + ": " + message);
        if (state.startsWith("08")) {
            return LiveQueries.unavailable(e);
        }
        return new Refused(
                Refused.Reason.UNPROCESSABLE, "PostgreSQL could not explain the query (SQLState " + state + ")");
    }
}
