package com.apintake.backup.entity;

import java.time.Instant;

/**
 * A CDI event fired when a backup, a base backup or a restore drill fails or is refused. Alert sinks
 * observe it ({@code void on(@Observes BackupAlert alert)}); until they exist the log carries it at SEVERE.
 *
 * @param backupId the backups row, null when the job was refused before it got one
 * @param kind what was attempted: a backup kind label, or "drill"
 */
public record BackupAlert(Instant at, Long backupId, String kind, String summary, String reason) {}
