package com.apintake.alerts.entity;

import java.util.Objects;

/** The condition of {@link AlertRaised} no longer holds: its open alert, if any, is resolved. */
public record AlertCleared(String condition, String source) {

    public AlertCleared {
        Objects.requireNonNull(condition, "condition");
        source = source == null ? "ap-intake" : source;
    }
}
