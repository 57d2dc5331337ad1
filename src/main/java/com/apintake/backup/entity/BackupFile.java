package com.apintake.backup.entity;

/** One file of a backup as written to disk; sha256 is of the bytes on disk (the ciphertext when encrypted). */
public record BackupFile(String name, long bytes, String sha256) {}
