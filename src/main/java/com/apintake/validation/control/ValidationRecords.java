package com.apintake.validation.control;

import com.apintake.platform.control.Sql;
import com.apintake.security.control.Caller;
import com.apintake.validation.entity.Finding;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.transaction.Transactional;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** What was extracted from an invoice and how each rule judged it, as stored. */
@ApplicationScoped
@Transactional
public class ValidationRecords {

    /**
     * One stored finding as the API shows it.
     *
     * @param severity {@code fatal}, {@code warning} or {@code information}
     * @param location the XPath of the failed assert, absent when the rule has none
     * @param source the rule set and its release, e.g. {@code EN16931 1.3.15}, or {@code AP}
     */
    public record Result(String rule, boolean passed, String detail, String severity, String location, String source) {}

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    Caller caller;

    /** {"invoiceId", "format", "fields", "confidence"}: the shape other tools read. */
    public Optional<JsonObject> extraction(long invoiceId) {
        String sql = """
                SELECT format, fields::text, confidence_json::text FROM invoice_extractions
                WHERE invoice_id = ? ORDER BY created_at DESC, id DESC LIMIT 1""";
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            caller.scope(connection);
            statement.setLong(1, invoiceId);
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(Json.createObjectBuilder()
                        .add("invoiceId", invoiceId)
                        .add("format", rows.getString(1))
                        .add("fields", parse(rows.getString(2)))
                        .add("confidence", parse(rows.getString(3)))
                        .build());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the extraction of invoice " + invoiceId + " failed", e);
        }
    }

    public List<Result> of(long invoiceId) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(
                        "SELECT rule_code, passed, detail, severity, location, source FROM validations WHERE invoice_id = ? ORDER BY id")) {
            caller.scope(connection);
            statement.setLong(1, invoiceId);
            try (var rows = statement.executeQuery()) {
                List<Result> results = new ArrayList<>();
                while (rows.next()) {
                    results.add(new Result(
                            rows.getString(1),
                            rows.getBoolean(2),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getString(6)));
                }
                return results;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the validations of invoice " + invoiceId + " failed", e);
        }
    }

    static final String RECORD = """
            INSERT INTO validations (invoice_id, rule_code, passed, detail, severity, location, source)
            SELECT ?, f.* FROM unnest(?::text[], ?::boolean[], ?::text[], ?::text[], ?::text[], ?::text[]) AS f""";

    /**
     * Stores how each rule judged one invoice, in the caller's transaction: one multi-row INSERT
     * whatever the number of findings (one round trip, one plan).
     */
    public void record(Sql sql, long invoiceId, List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        sql.update(
                RECORD,
                invoiceId,
                Sql.array("text", findings.stream().map(Finding::rule).toList()),
                Sql.array("boolean", findings.stream().map(Finding::passed).toList()),
                Sql.array("text", findings.stream().map(Finding::detail).toList()),
                Sql.array(
                        "text",
                        findings.stream()
                                .map(f -> f.severity() == null ? Finding.FATAL : f.severity())
                                .toList()),
                Sql.array("text", findings.stream().map(Finding::location).toList()),
                Sql.array("text", findings.stream().map(Finding::source).toList()));
    }

    private static JsonObject parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }
}
