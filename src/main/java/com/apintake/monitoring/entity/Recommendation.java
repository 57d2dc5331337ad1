package com.apintake.monitoring.entity;

import java.util.Map;

/**
 * One finding of the recommendations: kind (unused_index, duplicate_index, invalid_index,
 * missing_index, needs_analyze, needs_vacuum, sequence_overflow, xid_wraparound, low_cache_hit,
 * pool_size, idle_in_transaction), severity (info, warning, critical), the object concerned, the
 * numbers that justify it, and the fix. fixType says what the fix text is: a ready Liquibase
 * formatted-SQL changeSet ("liquibase"), SQL to run ("sql"), an asadmin command ("asadmin"), or
 * advice in words ("advice").
 */
public record Recommendation(
        String kind, String severity, String object, Map<String, Object> evidence, String fixType, String fix) {}
