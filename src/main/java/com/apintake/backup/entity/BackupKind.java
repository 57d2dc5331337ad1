package com.apintake.backup.entity;

import java.util.Locale;

/**
 * What a backup holds. The logical kinds are pg_dump custom-format archives a DBA restores with the
 * plain pg_restore; BASE is a physical pg_basebackup, the starting point of a point-in-time recovery.
 */
public enum BackupKind {
    /** Schema and data of the whole database. */
    FULL,
    /** Only the schema: tables, indexes, views, constraints, functions. */
    SCHEMA,
    /** Only the data, to load into a database that already has the schema. */
    DATA,
    /** Schema and data of the configured critical tables (the invoices and what hangs off them). */
    CRITICAL,
    /** A physical copy of the whole cluster plus the WAL to make it consistent; WAL replay brings it forward. */
    BASE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean logical() {
        return this != BASE;
    }

    /** Whether the archive carries table rows, so a drill can compare row counts. */
    public boolean hasData() {
        return this == FULL || this == DATA || this == CRITICAL;
    }

    /** A data-only archive needs a schema to load into, so it cannot be restored into an empty scratch database. */
    public boolean drillable() {
        return this == FULL || this == SCHEMA || this == CRITICAL;
    }

    public static BackupKind parse(String text) {
        for (BackupKind kind : values()) {
            if (kind.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown backup kind '" + text + "': use one of full, schema, data, critical, base");
    }
}
