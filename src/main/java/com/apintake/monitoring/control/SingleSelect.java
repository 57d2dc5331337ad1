package com.apintake.monitoring.control;

import com.apintake.platform.control.Refused;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The check before EXPLAIN: one statement, and a SELECT (or WITH ... SELECT). It reads the text the
 * way PostgreSQL's lexer would for what matters here: quoted strings, quoted identifiers,
 * dollar-quoted bodies and comments may hold semicolons and keywords; outside them a semicolon ends
 * the statement, and only a trailing one is allowed. The READ ONLY transaction the plan runs in is
 * the second line of defence (a data-modifying WITH or SELECT ... FOR UPDATE fails there).
 */
public final class SingleSelect {

    static final int MAX_LENGTH = 100_000;

    /** Functions that act outside the transaction (signals, files, configuration): never executed by EXPLAIN ANALYZE. */
    private static final Pattern OUTSIDE_EFFECTS = Pattern.compile(
            "(?i)\\b(pg_cancel_backend|pg_terminate_backend|pg_reload_conf|pg_rotate_logfile|pg_promote|pg_switch_wal"
                    + "|pg_create_restore_point|pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|pg_sleep\\w*"
                    + "|pg_advisory\\w*|pg_notify|dblink\\w*|lo_\\w+|set_config|nextval|setval)\\s*\\(");

    private SingleSelect() {}

    /** The query without its trailing semicolon, or Refused(INVALID) saying why it is not explained. */
    public static String of(String query, boolean analyze) {
        if (query == null || query.isBlank()) {
            throw new Refused(Refused.Reason.INVALID, "query is required: one SELECT statement");
        }
        if (query.length() > MAX_LENGTH) {
            throw new Refused(Refused.Reason.INVALID, "query is longer than " + MAX_LENGTH + " characters");
        }
        String code = codeOnly(query);
        String trimmed = code.strip();
        int end = trimmed.length();
        while (end > 0 && (trimmed.charAt(end - 1) == ';' || Character.isWhitespace(trimmed.charAt(end - 1)))) {
            end--;
        }
        if (trimmed.substring(0, end).indexOf(';') >= 0) {
            throw new Refused(Refused.Reason.INVALID, "only a single statement is explained; this text holds several");
        }
        String first = trimmed.isEmpty() ? "" : trimmed.split("[\\s(]+", 2)[0].toLowerCase(Locale.ROOT);
        if (!first.equals("select") && !first.equals("with")) {
            throw new Refused(
                    Refused.Reason.INVALID,
                    "only a SELECT (or WITH ... SELECT) is explained; this statement starts with "
                            + (first.isEmpty() ? "nothing but comments" : first.toUpperCase(Locale.ROOT)));
        }
        if (analyze && OUTSIDE_EFFECTS.matcher(code).find()) {
            throw new Refused(
                    Refused.Reason.INVALID,
                    "analyze would execute a function that acts outside the transaction (signals, files, locks,"
                            + " sequences, sleeps); explain it without analyze");
        }
        // Cut at the last code semicolon: what follows it is whitespace or comments only.
        int lastSemicolon = code.lastIndexOf(';');
        String statement =
                lastSemicolon >= 0 && code.substring(lastSemicolon + 1).isBlank()
                        ? query.substring(0, lastSemicolon)
                        : query;
        return statement.strip();
    }

    /** The text with quoted strings, quoted identifiers, dollar quotes and comments blanked out (same length). */
    static String codeOnly(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int stop = sql.indexOf('\n', i);
                stop = stop < 0 ? n : stop;
                blank(out, stop - i);
                i = stop;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 1;
                int j = i + 2;
                while (j < n && depth > 0) {
                    if (sql.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (sql.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                    } else {
                        j++;
                    }
                }
                if (depth > 0) {
                    throw new Refused(Refused.Reason.INVALID, "the query has an unterminated /* comment");
                }
                blank(out, j - i);
                i = j;
            } else if (c == '\'' || c == '"') {
                int j = i + 1;
                while (true) {
                    if (j >= n) {
                        throw new Refused(Refused.Reason.INVALID, "the query has an unterminated quote (" + c + ")");
                    }
                    if (sql.charAt(j) == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    if (c == '\''
                            && sql.charAt(j) == '\\'
                            && i > 0
                            && Character.toLowerCase(sql.charAt(i - 1)) == 'e') {
                        j += 2;
                        continue;
                    }
                    j++;
                }
                out.append(c);
                blank(out, j - i - 1);
                out.append(c);
                i = j + 1;
            } else if (c == '$') {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                    j++;
                }
                if (j < n && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
                    String tag = sql.substring(i, j + 1);
                    int close = sql.indexOf(tag, j + 1);
                    if (close < 0) {
                        throw new Refused(Refused.Reason.INVALID, "the query has an unterminated " + tag + " quote");
                    }
                    blank(out, close + tag.length() - i);
                    i = close + tag.length();
                } else {
                    out.append(c);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(StringBuilder out, int count) {
        out.append(" ".repeat(Math.max(0, count)));
    }
}
