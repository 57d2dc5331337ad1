package com.apintake.monitoring.control;

import static com.apintake.monitoring.control.Findings.evidence;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Recommendations of the indexes topic: unused indexes (never one of the seven Liquibase-owned ones
 * without evidence), duplicate and prefix-covered indexes, invalid indexes, and missing indexes for
 * big tables read by sequential scans. Every index change comes as a Liquibase formatted-SQL
 * changeSet with CONCURRENTLY, because the changelog owns the schema.
 */
@ApplicationScoped
public class IndexRecommendations implements RecommendationTopic {

    /** The seven performance indexes of liquibase/changes/002 (also marked liquibase_owned in the unused_indexes view). */
    public static final Set<String> LIQUIBASE_OWNED = Set.of(
            "idx_invoices_file_hash_created",
            "idx_invoices_workflow_status_created",
            "idx_exceptions_resolved_created",
            "idx_invoices_vendor_created_status",
            "idx_extractions_created_confidence",
            "idx_validations_passed_created",
            "idx_staged_exports_status_created");
    /** Indexes with no scan since the statistics reset (from the Liquibase view), above the size threshold. */
    static final String UNUSED = """
            SELECT schema_name, table_name, index_name, index_bytes, index_size, liquibase_owned, stats_since, definition
            FROM unused_indexes
            WHERE index_bytes >= ?""";
    /**
     * Index a is redundant next to index b on the same table when a's key columns (with their
     * expressions, opclasses, sort options and predicate) are a leading prefix of b's and a enforces
     * no constraint. Exact twins appear twice; the Java side keeps one of each pair.
     */
    static final String COVERED = """
            SELECT n.nspname, ct.relname, ca.relname, cb.relname, pg_relation_size(a.indexrelid),
                   a.indnkeyatts = b.indnkeyatts AND a.indnatts = b.indnatts, b.indisunique,
                   EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = b.indexrelid),
                   a.indexrelid < b.indexrelid, pg_get_indexdef(a.indexrelid), pg_get_indexdef(b.indexrelid),
                   coalesce(sa.idx_scan, 0)
            FROM pg_index a
            JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
            JOIN pg_class ca ON ca.oid = a.indexrelid
            JOIN pg_class cb ON cb.oid = b.indexrelid
            JOIN pg_class ct ON ct.oid = a.indrelid
            JOIN pg_namespace n ON n.oid = ct.relnamespace
            LEFT JOIN pg_stat_user_indexes sa ON sa.indexrelid = a.indexrelid
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND ca.relam = cb.relam
              AND a.indisvalid AND b.indisvalid
              AND NOT a.indisunique AND NOT a.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = a.indexrelid)
              AND a.indnatts = a.indnkeyatts
              AND a.indnkeyatts <= b.indnkeyatts
              AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:a.indnkeyatts - 1]
              AND (a.indclass::oid[])[0:a.indnkeyatts - 1] = (b.indclass::oid[])[0:a.indnkeyatts - 1]
              AND (a.indoption::int2[])[0:a.indnkeyatts - 1] = (b.indoption::int2[])[0:a.indnkeyatts - 1]
              AND coalesce(pg_get_expr(a.indexprs, a.indrelid), '') = coalesce(pg_get_expr(b.indexprs, b.indrelid), '')
              AND coalesce(pg_get_expr(a.indpred, a.indrelid), '') = coalesce(pg_get_expr(b.indpred, b.indrelid), '')""";
    /** A failed CREATE INDEX CONCURRENTLY leaves an invalid index: maintained on every write, never used. */
    static final String INVALID = """
            SELECT n.nspname, ct.relname, ci.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class ct ON ct.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = ci.relnamespace
            WHERE NOT i.indisvalid""";
    /** Large tables read mostly by sequential scans of many rows. */
    static final String SEQ_SCANNED = """
            SELECT schemaname, relname, n_live_tup, seq_scan, seq_tup_read, coalesce(idx_scan, 0)
            FROM pg_stat_user_tables
            WHERE n_live_tup >= ? AND seq_scan >= ? AND seq_scan > coalesce(idx_scan, 0)
              AND seq_tup_read / seq_scan >= 1000
            ORDER BY seq_tup_read DESC""";
    /** The statements of this database that name a table, slowest total first. */
    static final String STATEMENTS_ON_TABLE = """
            SELECT query, sum(calls), sum(total_exec_time) / nullif(sum(calls), 0)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query ~* ('\\m(from|join|update)\\s+("?' || ? || '"?\\.)?"?' || ? || '"?\\M')
            GROUP BY query
            ORDER BY sum(total_exec_time) DESC
            LIMIT 3""";

    static final String COLUMNS = """
            SELECT a.attname, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indkey[0] = a.attnum)
            FROM pg_attribute a
            WHERE a.attrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?)) AND a.attnum > 0 AND NOT a.attisdropped""";

    @Inject
    @ConfigProperty(name = "apintake.monitoring.unused-index-min-bytes", defaultValue = "1048576")
    long unusedIndexMinBytes;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.owned-index-evidence-days", defaultValue = "35")
    long ownedIndexEvidenceDays;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.large-table-rows", defaultValue = "10000")
    long largeTableRows;

    @Inject
    @ConfigProperty(name = "apintake.monitoring.missing-index-seq-scans", defaultValue = "50")
    long missingIndexSeqScans;

    private void unusedIndexes(Connection connection, List<Recommendation> found) throws SQLException {
        try (var statement = connection.prepareStatement(UNUSED)) {
            statement.setLong(1, unusedIndexMinBytes);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String schema = rows.getString(1);
                    String index = rows.getString(3);
                    boolean owned = rows.getBoolean(6);
                    Timestamp since = rows.getTimestamp(7);
                    long days = since == null
                            ? 0
                            : Duration.between(since.toInstant(), Instant.now()).toDays();
                    var evidence = evidence(
                            "table",
                            rows.getString(2),
                            "indexScans",
                            0,
                            "indexBytes",
                            rows.getLong(4),
                            "indexSize",
                            rows.getString(5),
                            "statsSince",
                            since == null ? null : since.toInstant().toString(),
                            "statsDays",
                            days,
                            "liquibaseOwned",
                            owned);
                    if (owned) {
                        // The seven carry queries that may run only at month end or year end: only a
                        // full business cycle of statistics without a single scan is strong evidence.
                        if (days < ownedIndexEvidenceDays) {
                            continue;
                        }
                        evidence.put(
                                "note",
                                "one of the seven Liquibase-owned performance indexes; unused for " + days
                                        + " days of statistics. Check the query it serves (002-performance-indexes.sql) before dropping it.");
                    }
                    found.add(new Recommendation(
                            "unused_index",
                            owned ? "info" : "warning",
                            schema + "." + index,
                            evidence,
                            "liquibase",
                            dropIndexChangeSet(
                                    schema,
                                    index,
                                    rows.getString(8),
                                    "unused since " + (since == null ? "the statistics reset" : since.toInstant()))));
                }
            }
        }
    }

    private void duplicateIndexes(Connection connection, List<Recommendation> found) throws SQLException {
        Set<String> reported = new LinkedHashSet<>();
        try (var statement = connection.prepareStatement(COVERED);
                var rows = statement.executeQuery()) {
            while (rows.next()) {
                String schema = rows.getString(1);
                String index = rows.getString(3);
                String coveredBy = rows.getString(4);
                boolean twin = rows.getBoolean(6);
                boolean otherUnique = rows.getBoolean(7);
                boolean otherConstraint = rows.getBoolean(8);
                boolean older = rows.getBoolean(9);
                boolean owned = LIQUIBASE_OWNED.contains(index);
                boolean otherOwned = LIQUIBASE_OWNED.contains(coveredBy);
                if (owned) {
                    continue; // a Liquibase-owned index is the one to keep; its twin goes instead
                }
                if (twin && !otherUnique && !otherConstraint && !otherOwned && older) {
                    continue; // of two identical plain indexes keep the older one: drop the newer
                }
                if (!reported.add(index)) {
                    continue;
                }
                found.add(new Recommendation(
                        "duplicate_index",
                        "warning",
                        schema + "." + index,
                        evidence(
                                "table", rows.getString(2),
                                "coveredBy", schema + "." + coveredBy,
                                "identical", twin,
                                "indexBytes", rows.getLong(5),
                                "indexScans", rows.getLong(12),
                                "definition", rows.getString(10),
                                "coveredByDefinition", rows.getString(11)),
                        "liquibase",
                        dropIndexChangeSet(
                                schema,
                                index,
                                rows.getString(10),
                                (twin ? "identical to " : "a leading prefix of ") + coveredBy
                                        + ", which serves the same queries")));
            }
        }
    }

    private void invalidIndexes(Connection connection, List<Recommendation> found) throws SQLException {
        try (var statement = connection.prepareStatement(INVALID);
                var rows = statement.executeQuery()) {
            while (rows.next()) {
                String schema = rows.getString(1);
                String index = rows.getString(3);
                String definition = rows.getString(4);
                String id = "ap-intake:rebuild-" + index;
                String changeSet = "--changeset " + id + " runInTransaction:false\n"
                        + "--comment: " + index
                        + " is INVALID (a CREATE INDEX CONCURRENTLY failed): written on every change, never read. Rebuild it.\n"
                        + "DROP INDEX CONCURRENTLY IF EXISTS " + quote(schema) + "." + quote(index) + ";\n"
                        + concurrently(definition) + ";\n"
                        + "--rollback SELECT 1;\n";
                found.add(new Recommendation(
                        "invalid_index",
                        "critical",
                        schema + "." + index,
                        evidence("table", rows.getString(2), "definition", definition, "valid", false),
                        "liquibase",
                        changeSet));
            }
        }
    }

    private void missingIndexes(Connection connection, List<Recommendation> found, Vitals vitals) throws SQLException {
        boolean statements = vitals.database() != null && vitals.database().statementsAvailable();
        try (var statement = connection.prepareStatement(SEQ_SCANNED)) {
            statement.setLong(1, largeTableRows);
            statement.setLong(2, missingIndexSeqScans);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    String schema = rows.getString(1);
                    String table = rows.getString(2);
                    long seqScans = rows.getLong(4);
                    long seqRead = rows.getLong(5);
                    var evidence = evidence(
                            "liveRows",
                            rows.getLong(3),
                            "seqScans",
                            seqScans,
                            "seqRowsRead",
                            seqRead,
                            "rowsPerSeqScan",
                            seqRead / seqScans,
                            "indexScans",
                            rows.getLong(6));
                    List<Map<String, Object>> queries = new ArrayList<>();
                    Set<String> columns = new LinkedHashSet<>();
                    if (statements) {
                        try (var byTable = connection.prepareStatement(STATEMENTS_ON_TABLE)) {
                            byTable.setString(1, schema);
                            byTable.setString(2, table);
                            try (var statementRows = byTable.executeQuery()) {
                                while (statementRows.next()) {
                                    String query = statementRows.getString(1);
                                    queries.add(evidence(
                                            "query", query,
                                            "calls", statementRows.getLong(2),
                                            "meanMillis", statementRows.getDouble(3)));
                                    columns.addAll(equalityColumns(query));
                                }
                            }
                        }
                    }
                    evidence.put("statements", queries);
                    List<String> candidates = unindexedColumns(connection, schema, table, columns);
                    String fixType;
                    String fix;
                    if (candidates.isEmpty()) {
                        fixType = "advice";
                        fix =
                                "Find the WHERE clause these scans serve (see evidence.statements, or EXPLAIN the queries on "
                                        + table
                                        + ") and add an index for its equality columns first, then the range column,"
                                        + " as a changeSet with CREATE INDEX CONCURRENTLY and runInTransaction:false.";
                    } else {
                        String column = candidates.get(0);
                        String name = "idx_" + table + "_" + column;
                        fixType = "liquibase";
                        fix = "--changeset ap-intake:" + name.replace('_', '-') + " runInTransaction:false\n"
                                + "--comment: " + table + " is read by " + seqScans + " sequential scans ("
                                + seqRead / seqScans
                                + " rows each); the statements filter on " + column + ".\n"
                                + "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + quote(name) + " ON " + quote(schema)
                                + "."
                                + quote(table) + " (" + quote(column) + ");\n"
                                + "--rollback DROP INDEX CONCURRENTLY IF EXISTS " + quote(schema) + "." + quote(name)
                                + ";\n";
                    }
                    found.add(new Recommendation(
                            "missing_index", "warning", schema + "." + table, evidence, fixType, fix));
                }
            }
        }
    }

    private static final Pattern EQUALITY = Pattern.compile("(?i)\\b([a-z_][a-z0-9_]*)\\s*=\\s*\\$\\d+");

    static List<String> equalityColumns(String query) {
        List<String> columns = new ArrayList<>();
        Matcher matcher = EQUALITY.matcher(query);
        while (matcher.find()) {
            columns.add(matcher.group(1).toLowerCase(Locale.ROOT));
        }
        return columns;
    }
    /** Of the columns the statements filter on, those of this table that lead no index yet. */
    private static List<String> unindexedColumns(Connection connection, String schema, String table, Set<String> wanted)
            throws SQLException {
        if (wanted.isEmpty()) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        try (var statement = connection.prepareStatement(COLUMNS)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (var rows = statement.executeQuery()) {
                Map<String, Boolean> leading = new LinkedHashMap<>();
                while (rows.next()) {
                    leading.put(rows.getString(1), rows.getBoolean(2));
                }
                for (String column : wanted) {
                    if (Boolean.FALSE.equals(leading.get(column))) {
                        result.add(column);
                    }
                }
            }
        }
        return result;
    }

    static String dropIndexChangeSet(String schema, String index, String definition, String reason) {
        return "--changeset ap-intake:drop-" + index.replace('_', '-') + " runInTransaction:false\n"
                + "--comment: Drop " + index + ": " + reason + ".\n"
                + "DROP INDEX CONCURRENTLY IF EXISTS " + quote(schema) + "." + quote(index) + ";\n"
                + "--rollback " + concurrently(definition) + ";\n";
    }
    /** pg_get_indexdef gives CREATE [UNIQUE] INDEX name ON ...; the changelog builds indexes without blocking writes. */
    static String concurrently(String definition) {
        return definition.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX CONCURRENTLY IF NOT EXISTS ");
    }

    static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        unusedIndexes(connection, found);
        duplicateIndexes(connection, found);
        invalidIndexes(connection, found);
        missingIndexes(connection, found, vitals);
    }
}
