package com.apintake.backup.entity;

/**
 * A critical table as the backup saw it, read in the very snapshot pg_dump dumped: its exact row count
 * and, when apintake.backup.critical-checksums is on, an order-independent checksum of its rows (else
 * null), which a restore drill recomputes on the restored copy.
 */
public record TableCount(String table, long rows, String checksum) {}
