package com.apintake.monitoring.control;

import com.apintake.audit.control.AuditTrail;
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

    /**
     * The generic plan of a pg_stat_statements entry: its normalised text, the number of $n
     * parameters PostgreSQL inferred types for, and the plan with every parameter NULL.
     */
    public record StatementPlan(long queryid, String query, List<String> parameterTypes, Plan plan) {}

    /** The normalised text of a statement of this database, as pg_stat_statements keeps it. */
    static final String STATEMENT_TEXT = """
            SELECT query FROM pg_stat_statements
            WHERE queryid = ? AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            LIMIT 1""";

    static final String PREPARED_NAME = "apintake_slow_query_explain";

    /** The types PostgreSQL inferred for the prepared statement's $1, $2, ... */
    static final String PARAMETER_TYPES =
            "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = '" + PREPARED_NAME + "'";

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
    AuditTrail audit;

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
        Plan answer;
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
                answer = new Plan(analyze, plan, text.toString(), suggestions);
            } catch (SQLException e) {
                throw refusal(e);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw LiveQueries.unavailable(e);
        }
        // The query text may hold literal values (names, amounts): the trail keeps only its size.
        audit.record(
                "database.explain",
                "query of " + statement.length() + " characters",
                analyze ? "analyze: executed in a read-only transaction, rolled back" : "plan only");
        return answer;
    }

    /**
     * EXPLAIN of a slow statement by its queryid. pg_stat_statements keeps the text normalised
     * ($1, $2 for the constants), which EXPLAIN cannot plan as it stands, and PostgreSQL 15 has no
     * EXPLAIN (GENERIC_PLAN) (16+). So, in the same READ ONLY transaction under the same timeouts as
     * {@link #explain}, the text is prepared with plan_cache_mode = force_generic_plan (PostgreSQL
     * infers the parameters' types) and EXECUTE with a NULL per parameter is explained: the plan
     * for any value, never run (analyze is never done here: with NULLs it would measure nothing
     * real). Only a single SELECT passes ({@link SingleSelect}); the prepared statement, which
     * outlives a rollback, is deallocated before the connection goes back to the pool.
     */
    public StatementPlan explainStatement(long queryid) {
        try (Connection connection = dataSource.getConnection()) {
            String text;
            try (var lookup = connection.prepareStatement(STATEMENT_TEXT)) {
                lookup.setLong(1, queryid);
                try (var rows = lookup.executeQuery()) {
                    if (!rows.next()) {
                        throw new Refused(
                                Refused.Reason.NOT_FOUND,
                                "pg_stat_statements holds no statement with queryid " + queryid
                                        + " in this database (evicted or reset since it was listed?)");
                    }
                    text = rows.getString(1);
                }
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) {
                    throw new Refused(Refused.Reason.CONFLICT, "pg_stat_statements is not installed in this database");
                }
                throw e;
            }
            String statement = SingleSelect.of(withoutPrepare(text), false);
            StatementPlan answer = explainPrepared(connection, queryid, text, statement);
            audit.record(
                    "database.explain",
                    "queryid " + queryid,
                    "generic plan of a pg_stat_statements entry, "
                            + answer.parameterTypes().size() + " parameters");
            return answer;
        } catch (SQLException e) {
            throw LiveQueries.unavailable(e);
        }
    }

    /**
     * A statement run through SQL-level PREPARE is kept by pg_stat_statements under the queryid of its
     * inner query but with the PREPARE text, when that is what created the entry (seen in the full test
     * suite after an entry was evicted and re-created by an explain of it): the inner query is what to plan.
     */
    static String withoutPrepare(String text) {
        return PREPARED_TEXT.matcher(text).replaceFirst("");
    }

    private static final java.util.regex.Pattern PREPARED_TEXT =
            java.util.regex.Pattern.compile("(?is)^\\s*PREPARE\\s+[\\w$\"]+\\s*(\\([^)]*\\))?\\s*AS\\s+");

    private StatementPlan explainPrepared(Connection connection, long queryid, String text, String statement)
            throws SQLException {
        boolean prepared = false;
        connection.setAutoCommit(false);
        try (var setup = connection.createStatement()) {
            try {
                setup.execute("SET TRANSACTION READ ONLY");
                setup.execute("SET LOCAL statement_timeout = " + timeoutMillis);
                setup.execute("SET LOCAL lock_timeout = " + Math.min(timeoutMillis, 2000));
                setup.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                setup.execute("PREPARE " + PREPARED_NAME + " AS " + statement);
                prepared = true;
                List<String> types = new ArrayList<>();
                try (var rows = setup.executeQuery(PARAMETER_TYPES)) {
                    if (rows.next() && rows.getArray(1) != null) {
                        for (Object type : (Object[]) rows.getArray(1).getArray()) {
                            types.add(String.valueOf(type));
                        }
                    }
                }
                String execute = "EXECUTE " + PREPARED_NAME
                        + (types.isEmpty()
                                ? ""
                                : "(" + String.join(", ", java.util.Collections.nCopies(types.size(), "NULL")) + ")");
                String json;
                try (var rows = setup.executeQuery("EXPLAIN (FORMAT JSON) " + execute)) {
                    rows.next();
                    json = rows.getString(1);
                }
                StringBuilder plain = new StringBuilder();
                try (var rows = setup.executeQuery("EXPLAIN " + execute)) {
                    while (rows.next()) {
                        plain.append(rows.getString(1)).append('\n');
                    }
                }
                JsonArray plan;
                try (var reader = Json.createReader(new StringReader(json))) {
                    plan = reader.readArray();
                }
                return new StatementPlan(
                        queryid, text, types, new Plan(false, plan, plain.toString(), suggestions(connection, plan)));
            } catch (SQLException e) {
                throw refusal(e);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
                if (prepared) {
                    setup.execute("DEALLOCATE " + PREPARED_NAME);
                }
            }
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
