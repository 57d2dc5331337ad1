package com.apintake.backup.control;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * pg_restore on a backup file, always fed on stdin (decrypted first when it is encrypted: OpenPGP, or
 * the earlier AES-GCM format), so the plaintext never touches the disk and the file's SHA-256 is
 * computed from the same read that restores it: one pass, and a file that differs from its manifest
 * fails the restore's caller even when pg_restore accepted it.
 */
public final class PgRestore {

    private final PostgresTools tools;
    private final BackupKey encryption;

    public PgRestore(PostgresTools tools, BackupKey encryption) {
        this.tools = tools;
        this.encryption = encryption;
    }

    /** expectedSha256: the manifest's hex digest of the file as stored, or null to skip the comparison. */
    public void run(
            List<String> options,
            Path archive,
            boolean encrypted,
            Map<String, String> environment,
            Path stdout,
            Duration timeout,
            String expectedSha256)
            throws IOException, InterruptedException {
        if (encrypted && encryption == null) {
            throw new IOException("the backup is encrypted and " + BackupKey.VARIABLE + " is not set");
        }
        List<String> command = new ArrayList<>();
        command.add(tools.tool("pg_restore"));
        command.addAll(options);
        MessageDigest sha256 = LogicalDump.sha256();
        try (ToolProcess restore = ToolProcess.start(command, environment, stdout, true)) {
            feed(restore, archive, encrypted, sha256);
            restore.awaitSuccess(timeout);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            throw new IOException("backup file " + archive.getFileName() + " has SHA-256 " + actual
                    + ", the manifest says " + expectedSha256);
        }
    }

    /**
     * One stored file of a directory-format backup, decrypted when encrypted, into target (a new 0600
     * file); its SHA-256 is computed from the same read and compared with the manifest's.
     */
    public void open(Path stored, boolean encrypted, Path target, String expectedSha256) throws IOException {
        if (encrypted && encryption == null) {
            throw new IOException("the backup is encrypted and " + BackupKey.VARIABLE + " is not set");
        }
        MessageDigest sha256 = LogicalDump.sha256();
        InputStream raw = new BufferedInputStream(new DigestInputStream(Files.newInputStream(stored), sha256), 1 << 16);
        try (InputStream plain = encrypted ? encryption.decrypting(stored, raw) : raw;
                OutputStream out = BackupArea.createPrivateFile(target)) {
            plain.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            throw new IOException("backup file " + stored.getFileName() + " has SHA-256 " + actual
                    + ", the manifest says " + expectedSha256);
        }
    }

    /** pg_restore OPTIONS FOLDER: a directory-format archive opened with {@link #open}, read by parallel jobs. */
    public void runOnFolder(List<String> options, Path folder, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tools.tool("pg_restore"));
        command.addAll(options);
        command.add(folder.toString());
        try (ToolProcess restore = ToolProcess.start(command, environment, null, false)) {
            restore.awaitSuccess(timeout);
        }
    }

    private void feed(ToolProcess restore, Path archive, boolean encrypted, MessageDigest sha256) throws IOException {
        // The digest sees each stored byte once: buffering (and the OpenPGP reader's mark/reset) sits above it.
        InputStream stored =
                new BufferedInputStream(new DigestInputStream(Files.newInputStream(archive), sha256), 1 << 16);
        try (InputStream plain = encrypted ? encryption.decrypting(archive, stored) : stored) {
            OutputStream stdin = restore.stdin();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = plain.read(buffer)) >= 0) {
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException closedEarly) {
                    // pg_restore stopped reading (it failed, or needed no more); its exit code decides.
                    drain(plain, buffer);
                    break;
                }
            }
        } finally {
            try {
                restore.stdin().close();
            } catch (IOException alreadyClosed) {
                // the tool exited; its exit code tells whether that was fine
            }
        }
    }

    /** Reading on to the end still hashes (and authenticates) every byte, so a damaged tail is noticed. */
    private static void drain(InputStream plain, byte[] buffer) throws IOException {
        while (plain.read(buffer) >= 0) {
            // hash the rest
        }
    }
}
