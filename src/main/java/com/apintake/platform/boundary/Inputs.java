package com.apintake.platform.boundary;

import jakarta.ws.rs.WebApplicationException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The one set of rules every value from a request passes before it reaches a control or PostgreSQL:
 * JSON members ({@link StrictJson}), query, path and header parameters ({@link StrictParameters}), and
 * the dates and date-times resources parse themselves. A violation is a 400 problem naming the field.
 *
 * <p>Why these limits: PostgreSQL refuses NUL in text (the driver then fails the whole statement),
 * stores years up to 294276 in timestamptz and offsets up to 15:59, and an unbounded string is an
 * unbounded amount of memory, hashing or index work. Years are held to 0001-9999, which every
 * PostgreSQL type, ISO 8601 and Java round-trip alike.
 */
public final class Inputs {

    /** Longest single-line text (names, identifiers, filters) unless a field says otherwise. */
    public static final int DEFAULT_MAX = 255;

    /** Longest free text (a resolution, a rejection reason). */
    public static final int FREE_TEXT_MAX = 4000;

    public static final LocalDate FIRST_DAY = LocalDate.of(1, 1, 1);
    public static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);

    /** PostgreSQL's timestamptz input accepts offsets up to 15:59 either way. */
    public static final int MAX_OFFSET_SECONDS = 15 * 3600 + 59 * 60;

    private Inputs() {}

    /** Single-line text: no control character at all, at most max characters. Null stays null. */
    public static String text(String field, String value, int max) {
        return checked(field, value, max, false);
    }

    /** Free text: tab, line feed and carriage return allowed, no other control character (never NUL). */
    public static String freeText(String field, String value, int max) {
        return checked(field, value, max, true);
    }

    private static String checked(String field, String value, int max, boolean multiline) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw Problem.invalid(field, field + " may have at most " + max + " characters.");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (multiline && (c == '\t' || c == '\n' || c == '\r')) {
                continue;
            }
            if (Character.isISOControl(c)) {
                throw Problem.invalid(field, field + " must not contain control characters (such as NUL).");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c)
                        && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw Problem.invalid(field, field + " is not valid Unicode text.");
                }
                i++;
            }
        }
        return value;
    }

    /** A calendar date like 2026-01-31, within 0001-01-01..9999-12-31. */
    public static LocalDate date(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        text(field, value, 10);
        try {
            return inRange(field, LocalDate.parse(value));
        } catch (DateTimeParseException e) {
            throw Problem.invalid(field, field + " must be a date like 2026-01-31.");
        }
    }

    /** A date (start of that day, UTC) or an ISO date-time with offset; within the years 1-9999 and offsets of +-15:59. */
    public static OffsetDateTime dateOrDateTime(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        text(field, value, 40);
        if (value.length() == 10) {
            return date(field, value).atStartOfDay().atOffset(ZoneOffset.UTC);
        }
        try {
            return inRange(field, OffsetDateTime.parse(value));
        } catch (DateTimeParseException e) {
            throw Problem.invalid(
                    field, field + " must be a date (2026-01-31) or an ISO date-time (2026-01-31T12:00:00Z).");
        }
    }

    /** An ISO date-time with offset, e.g. 2026-01-31T12:00:00+01:00. */
    public static OffsetDateTime dateTime(String field, String value) {
        if (value == null) {
            return null;
        }
        text(field, value, 40);
        try {
            return inRange(field, OffsetDateTime.parse(value));
        } catch (DateTimeParseException e) {
            throw Problem.invalid(field, field + " must be an ISO date-time like 2026-01-31T12:00:00Z.");
        }
    }

    public static OffsetDateTime inRange(String field, OffsetDateTime value) {
        if (value == null) {
            return null;
        }
        if (Math.abs(value.getOffset().getTotalSeconds()) > MAX_OFFSET_SECONDS) {
            throw Problem.invalid(field, field + " has an offset beyond +-15:59.");
        }
        try {
            inRange(field, value.toLocalDate());
            inRange(field, value.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
        } catch (DateTimeException e) {
            throw outOfRange(field);
        }
        return value;
    }

    public static LocalDate inRange(String field, LocalDate value) {
        if (value != null && (value.isBefore(FIRST_DAY) || value.isAfter(LAST_DAY))) {
            throw outOfRange(field);
        }
        return value;
    }

    private static WebApplicationException outOfRange(String field) {
        return Problem.invalid(field, field + " must lie between the years 0001 and 9999.");
    }

    /** A field name fit to quote in an answer: what a client sent as a name may itself be hostile. */
    public static String quotable(String name) {
        StringBuilder safe = new StringBuilder();
        name.codePoints().limit(64).forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return safe.toString();
    }
}
