package com.apintake.backup.entity;

/**
 * Where a backup stands. Only SUCCEEDED (files written and checked: checksums and pg_restore --list,
 * or pg_verifybackup) and VERIFIED (restored into a scratch database and compared) are usable.
 */
public enum BackupStatus {
    RUNNING,
    SUCCEEDED,
    VERIFIED,
    FAILED;

    public boolean usable() {
        return this == SUCCEEDED || this == VERIFIED;
    }
}
