package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The physical base backup that point-in-time recovery starts from: pg_basebackup in plain format
 * (pg_verifybackup 15 reads only plain format) with the WAL it needs streamed into it and a manifest
 * of SHA-256 checksums of every file, then checked by pg_verifybackup. Its start WAL segment bounds
 * which archived WAL may be deleted (WAL retention follows base-backup retention).
 */
public final class BaseBackup {

    public record Result(List<BackupFile> files, long sizeBytes, String walStart, String toolVersion) {}

    public static final String DATA = "data";
    private static final Pattern START_WAL = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)");

    private final PostgresTools tools;
    private final DatabaseEndpoint endpoint;
    private final Duration timeout;

    public BaseBackup(PostgresTools tools, DatabaseEndpoint endpoint, Duration timeout) {
        this.tools = tools;
        this.endpoint = endpoint;
        this.timeout = timeout;
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
        Path manifest = data.resolve("backup_manifest");
        BackupFile manifestFile =
                new BackupFile(DATA + "/backup_manifest", Files.size(manifest), ArchiveCheck.sha256(manifest));
        return new Result(List.of(manifestFile), size(data), startWal(data), tools.version("pg_basebackup"));
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
