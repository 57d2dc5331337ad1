package com.apintake.backup.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A detached partition written to the backup area before the partition maintenance drops it
 * (apintake.partitions.backup-before-drop): {@code pg_dump --format=custom --table=<partition>}
 * into {@code <apintake.backup.dir>/partitions/<partition>-<UTC time>.dump}, encrypted with the backup
 * key like every other backup when apintake.backup.encrypt is on. Restore it with pg_restore into any
 * database (then ATTACH PARTITION it again if wanted); scripts/BackupDecrypt.java decrypts it.
 */
@ApplicationScoped
public class PartitionArchive {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Resource(lookup = "jdbc/apintake")
    DataSource pool;

    @Inject
    BackupSettings settings;

    /** The file written; throws when pg_dump failed, so the caller keeps the partition. */
    public Path archive(String table) throws IOException, SQLException, InterruptedException {
        if (!NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("not a plain lower-case table name: '" + table + "'");
        }
        BackupKey key = null;
        if (settings.encrypt()) {
            String text = System.getenv(BackupKey.VARIABLE);
            if (text == null || text.isBlank()) {
                throw new IllegalStateException("Backups are to be encrypted (apintake.backup.encrypt=true) but "
                        + BackupKey.VARIABLE + " is not set: the partition is kept");
            }
            key = BackupKey.of(text);
        }
        DatabaseEndpoint endpoint = DatabaseEndpoint.ofPool(pool);
        Path directory = settings.area().root().resolve("partitions");
        BackupArea.privateDirectory(directory);
        String plain = table + "-" + STAMP.format(Instant.now()) + ".dump";
        Path file = directory.resolve(key == null ? plain : BackupKey.encryptedName(plain));
        List<String> command = List.of(
                settings.tools().tool("pg_dump"),
                "--format=custom",
                "--no-password",
                "--lock-wait-timeout=" + settings.lockWaitSeconds() + "s",
                "--table=public." + table);
        try (ToolProcess dump = ToolProcess.start(command, endpoint.environment(), null, false)) {
            try (OutputStream sink = BackupArea.createDurableFile(file);
                    OutputStream target = key == null ? sink : key.encrypting(sink, plain);
                    InputStream source = dump.stdout()) {
                source.transferTo(target);
            }
            dump.awaitSuccess(settings.timeout());
        } catch (IOException | RuntimeException | InterruptedException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }
}
