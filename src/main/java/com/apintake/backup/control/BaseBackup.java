package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The physical base backup that point-in-time recovery starts from: pg_basebackup in plain format
 * (pg_verifybackup 15 reads only plain format) with the WAL it needs streamed into it and a manifest
 * of SHA-256 checksums of every file, then checked by pg_verifybackup. Its start WAL segment bounds
 * which archived WAL may be deleted (WAL retention follows base-backup retention). With a key, the
 * verified folder is then packed by the stock tar into one OpenPGP file, {@code base.tar.gpg} (hashed
 * while written), and the plain folder removed: restore with
 * {@code gpg --decrypt base.tar.gpg | tar -x -C NEW_DATA_DIR} (scripts/pitr-restore.sh does it).
 */
public final class BaseBackup {

    public record Result(List<BackupFile> files, long sizeBytes, String walStart, String toolVersion) {}

    public static final String DATA = "data";
    public static final String ENCRYPTED_TAR = "base.tar.gpg";
    private static final Pattern START_WAL = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)");

    private final PostgresTools tools;
    private final DatabaseEndpoint endpoint;
    private final Duration timeout;
    private final BackupKey encryption;

    /** encryption null: the plain folder stays as pg_basebackup wrote it. */
    public BaseBackup(PostgresTools tools, DatabaseEndpoint endpoint, Duration timeout, BackupKey encryption) {
        this.tools = tools;
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.encryption = encryption;
    }

    public Result take(long id, Path directory, LongConsumer pid) throws IOException, InterruptedException {
        Path data = directory.resolve(DATA);
        try (ToolProcess backup = ToolProcess.start(
                List.of(
                        tools.tool("pg_basebackup"),
                        "--pgdata=" + data,
                        "--format=plain",
                        "--wal-method=stream",
                        "--checkpoint=fast",
                        "--manifest-checksums=SHA256",
                        "--label=ap-intake-base-" + id,
                        "--no-password"),
                endpoint.environment(),
                null,
                false)) {
            pid.accept(backup.pid());
            backup.stdout().transferTo(java.io.OutputStream.nullOutputStream());
            backup.awaitSuccess(timeout);
        }
        try (ToolProcess verify = ToolProcess.start(
                List.of(tools.tool("pg_verifybackup"), data.toString()), endpoint.environment(), null, false)) {
            pid.accept(verify.pid());
            verify.stdout().transferTo(java.io.OutputStream.nullOutputStream());
            verify.awaitSuccess(timeout);
        }
        String walStart = startWal(data);
        if (encryption != null) {
            BackupFile sealed = seal(data, directory.resolve(ENCRYPTED_TAR), pid);
            new BackupArea(directory).remove(data);
            return new Result(List.of(sealed), sealed.bytes(), walStart, tools.version("pg_basebackup"));
        }
        Path manifest = data.resolve("backup_manifest");
        BackupFile manifestFile =
                new BackupFile(DATA + "/backup_manifest", Files.size(manifest), ArchiveCheck.sha256(manifest));
        return new Result(List.of(manifestFile), size(data), walStart, tools.version("pg_basebackup"));
    }

    /** tar of the verified folder, streamed through OpenPGP into a 0600 file, its SHA-256 taken on the way. */
    private BackupFile seal(Path data, Path target, LongConsumer pid) throws IOException, InterruptedException {
        var sha256 = LogicalDump.sha256();
        try (ToolProcess tar = ToolProcess.start(
                List.of("tar", "--create", "--file=-", "--directory=" + data, "."), Map.of(), null, false)) {
            pid.accept(tar.pid());
            try (var sink = new java.security.DigestOutputStream(BackupArea.createDurableFile(target), sha256);
                    var out = encryption.encrypting(sink, "base.tar");
                    var in = tar.stdout()) {
                in.transferTo(out);
            }
            tar.awaitSuccess(timeout);
        }
        return new BackupFile(
                ENCRYPTED_TAR, Files.size(target), java.util.HexFormat.of().formatHex(sha256.digest()));
    }

    static String startWal(Path data) throws IOException {
        Matcher matcher = START_WAL.matcher(Files.readString(data.resolve("backup_label")));
        if (!matcher.find()) {
            throw new IOException("backup_label names no start WAL segment");
        }
        return matcher.group(1);
    }

    static long size(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                total += Files.size(file);
            }
            return total;
        }
    }
}
