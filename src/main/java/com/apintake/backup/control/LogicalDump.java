package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One pg_dump in custom format (restorable with the plain pg_restore), streamed through the
 * optional encryption into a 0600 file while its SHA-256 is computed. The critical tables are counted
 * in the snapshot that pg_dump dumps (pg_export_snapshot + --snapshot), so the manifest's row counts
 * are exactly what the archive holds, however busy the database is.
 */
public final class LogicalDump {

    /** What the dump produced; serverVersion is the server's own version string. */
    public record Result(
            List<BackupFile> files,
            long sizeBytes,
            List<TableCount> tables,
            String serverVersion,
            String toolVersion) {}

    private final PostgresTools tools;
    private final DatabaseEndpoint endpoint;
    private final StreamEncryption encryption;
    private final CriticalTables critical;
    private final Duration timeout;
    private final int lockWaitSeconds;

    /** encryption null: the dump is written as pg_dump produces it. */
    public LogicalDump(
            PostgresTools tools,
            DatabaseEndpoint endpoint,
            StreamEncryption encryption,
            CriticalTables critical,
            Duration timeout,
            int lockWaitSeconds) {
        this.tools = tools;
        this.endpoint = endpoint;
        this.encryption = encryption;
        this.critical = critical;
        this.timeout = timeout;
        this.lockWaitSeconds = lockWaitSeconds;
    }

    public static String fileName(String database, boolean encrypted) {
        return database + ".dump" + (encrypted ? ".enc" : "");
    }

    /**
     * snapshotHolder: a connection outside the pool that stays open for the whole dump (it also holds
     * the advisory lock); its transaction is rolled back at the end. pid receives pg_dump's process id.
     */
    public Result dump(BackupKind kind, Connection snapshotHolder, Path directory, LongConsumer pid, LongConsumer bytes)
            throws IOException, SQLException, InterruptedException {
        snapshotHolder.setAutoCommit(false);
        snapshotHolder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            String snapshot;
            String serverVersion;
            try (var statement = snapshotHolder.createStatement();
                    var rows = statement.executeQuery("SELECT pg_export_snapshot(), version()")) {
                rows.next();
                snapshot = rows.getString(1);
                serverVersion = rows.getString(2);
            }
            List<TableCount> tables = kind.hasData() ? critical.measure(snapshotHolder) : List.of();
            Path file = directory.resolve(fileName(endpoint.database(), encryption != null));
            BackupFile written = run(command(kind, snapshot), file, pid, bytes);
            return new Result(List.of(written), written.bytes(), tables, serverVersion, tools.version("pg_dump"));
        } finally {
            snapshotHolder.rollback();
            snapshotHolder.setAutoCommit(true);
        }
    }

    List<String> command(BackupKind kind, String snapshot) {
        List<String> command = new ArrayList<>(List.of(
                tools.tool("pg_dump"),
                "--format=custom",
                "--no-password",
                "--snapshot=" + snapshot,
                "--lock-wait-timeout=" + lockWaitSeconds + "s"));
        switch (kind) {
            case FULL -> command.add("--exclude-table-data=public.backups");
            case SCHEMA -> command.add("--schema-only");
            case DATA -> {
                command.add("--data-only");
                command.add("--exclude-table-data=public.backups");
            }
            case CRITICAL -> {
                command.add("--strict-names");
                critical.names().forEach(table -> command.add("--table=" + table));
            }
            case BASE -> throw new IllegalArgumentException("a base backup is not a pg_dump");
        }
        return command;
    }

    private BackupFile run(List<String> command, Path file, LongConsumer pid, LongConsumer progress)
            throws IOException, InterruptedException {
        MessageDigest sha256 = sha256();
        long written = 0;
        try (ToolProcess dump = ToolProcess.start(command, endpoint.environment(), null, false)) {
            pid.accept(dump.pid());
            CountingOutputStream counted;
            try (OutputStream sink = new DigestOutputStream(BackupArea.createPrivateFile(file), sha256);
                    OutputStream target =
                            encryption == null ? new NoClose(sink) : encryption.encrypting(new NoClose(sink));
                    InputStream source = dump.stdout()) {
                counted = new CountingOutputStream(target, progress);
                source.transferTo(counted);
            }
            dump.awaitSuccess(timeout);
            written = java.nio.file.Files.size(file);
        }
        return new BackupFile(
                file.getFileName().toString(), written, HexFormat.of().formatHex(sha256.digest()));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets the encrypting stream finish its last chunk without closing the file twice. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private final LongConsumer progress;
        private long count;

        CountingOutputStream(OutputStream out, LongConsumer progress) {
            super(out);
            this.progress = progress;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            progress.accept(count);
        }
    }
}
