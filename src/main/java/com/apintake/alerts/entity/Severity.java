package com.apintake.alerts.entity;

import java.util.Locale;

/** How bad an alert is. An open alert only ever escalates (warning to critical), until it resolves. */
public enum Severity {
    WARNING,
    CRITICAL;

    /** The name in JSON, the database and the webhook: "warning", "critical". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
