package com.apintake.backup.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The one secret backups are encrypted with: the text of BACKUP_ENCRYPTION_KEY (32 random bytes in
 * base64, e.g. from {@code openssl rand -base64 32}). New backups are OpenPGP messages with that text
 * as the passphrase, so {@code gpg --passphrase-file} with a file holding the same line decrypts them;
 * backups of the earlier AES-GCM format (*.enc) are still read with the same key. The value never
 * appears in a message or a log.
 */
public final class BackupKey {

    public static final String VARIABLE = StreamEncryption.KEY_VARIABLE;

    private final OpenPgpEncryption openPgp;
    private final StreamEncryption legacy;

    private BackupKey(String text) {
        this.legacy = StreamEncryption.fromBase64(text);
        this.openPgp = new OpenPgpEncryption(text.trim());
    }

    /** Throws IllegalArgumentException (without the value) unless the text is 32 bytes in base64. */
    public static BackupKey of(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(VARIABLE + " is not set");
        }
        return new BackupKey(text);
    }

    public static String encryptedName(String plainName) {
        return plainName + OpenPgpEncryption.SUFFIX;
    }

    public OutputStream encrypting(OutputStream target, String plainName) throws IOException {
        return openPgp.encrypting(target, plainName);
    }

    /** By the file's name: *.enc is the AES-GCM format of releases before OpenPGP, anything else OpenPGP. */
    public InputStream decrypting(Path file, InputStream source) throws IOException {
        return file.getFileName().toString().endsWith(".enc") ? legacy.decrypting(source) : openPgp.decrypting(source);
    }

    /** What manifest.json says about a backup's encryption. */
    public static String label(Path file) {
        return file.getFileName().toString().endsWith(".enc")
                ? "AES-256-GCM stream v1 (APIBAK01, 1 MiB chunks), key " + VARIABLE
                        + " (legacy: scripts/BackupDecrypt.java)"
                : "OpenPGP symmetric (AES-256, SEIPD+MDC, S2K SHA-256), passphrase = the text of " + VARIABLE
                        + ": gpg --decrypt";
    }
}
