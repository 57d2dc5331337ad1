package com.apintake.backup.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * pg_restore on a backup file: given the path when the file is plain (seekable), or fed the decrypted
 * stream on stdin when it is encrypted (OpenPGP, or the earlier AES-GCM format), so the plaintext never touches the disk.
 */
public final class PgRestore {

    private final PostgresTools tools;
    private final BackupKey encryption;

    public PgRestore(PostgresTools tools, BackupKey encryption) {
        this.tools = tools;
        this.encryption = encryption;
    }

    public void run(
            List<String> options,
            Path archive,
            boolean encrypted,
            Map<String, String> environment,
            Path stdout,
            Duration timeout)
            throws IOException, InterruptedException {
        if (encrypted && encryption == null) {
            throw new IOException("the backup is encrypted and " + BackupKey.VARIABLE + " is not set");
        }
        List<String> command = new ArrayList<>();
        command.add(tools.tool("pg_restore"));
        command.addAll(options);
        if (!encrypted) {
            command.add(archive.toString());
        }
        try (ToolProcess restore = ToolProcess.start(command, environment, stdout, encrypted)) {
            if (encrypted) {
                feed(restore, archive);
            }
            restore.awaitSuccess(timeout);
        }
    }

    private void feed(ToolProcess restore, Path archive) throws IOException {
        try (InputStream plain = encryption.decrypting(archive, Files.newInputStream(archive))) {
            OutputStream stdin = restore.stdin();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = plain.read(buffer)) >= 0) {
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException closedEarly) {
                    // pg_restore --list stops reading after the table of contents; its exit code decides.
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

    /** Reading on to the end still authenticates every chunk, so a damaged tail is noticed. */
    private static void drain(InputStream plain, byte[] buffer) throws IOException {
        while (plain.read(buffer) >= 0) {
            // authenticate the rest
        }
    }
}
