package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.BackupKind;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The cheap check after every logical backup: every file still has the size and SHA-256 the
 * manifest records, and pg_restore can read the archive's table of contents, which lists the data
 * of every critical table the backup should hold. Seconds, not a restore: the drill does that.
 */
public final class ArchiveCheck {

    private final PgRestore restore;

    public ArchiveCheck(PgRestore restore) {
        this.restore = restore;
    }

    /** Throws, saying what is wrong, unless the backup passes. */
    public void check(
            Path directory, List<BackupFile> files, BackupKind kind, boolean encrypted, List<TableCount> tables)
            throws IOException, InterruptedException {
        for (BackupFile file : files) {
            verifyChecksum(directory.resolve(file.name()), file);
        }
        Path listing = Files.createTempFile("ap-intake-toc", ".txt");
        try {
            restore.run(
                    List.of("--list"),
                    directory.resolve(files.get(0).name()),
                    encrypted,
                    Map.of(),
                    listing,
                    Duration.ofMinutes(30));
            List<String> toc = Files.readAllLines(listing);
            long entries = toc.stream()
                    .filter(line -> !line.isBlank() && !line.startsWith(";"))
                    .count();
            if (entries == 0) {
                throw new IOException("pg_restore --list shows an empty archive");
            }
            for (TableCount table : tables) {
                String bare = table.table().contains(".")
                        ? table.table().substring(table.table().indexOf('.') + 1)
                        : table.table();
                boolean listed = toc.stream()
                        .anyMatch(line -> line.contains(" TABLE DATA ") && line.matches(".* " + bare + " [^ ]+$"));
                if (!listed) {
                    throw new IOException("pg_restore --list shows no data for critical table " + table.table());
                }
            }
        } finally {
            Files.deleteIfExists(listing);
        }
    }

    public static void verifyChecksum(Path path, BackupFile expected) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("backup file " + expected.name() + " is missing");
        }
        long size = Files.size(path);
        if (size != expected.bytes()) {
            throw new IOException("backup file " + expected.name() + " has " + size + " bytes, the manifest says "
                    + expected.bytes());
        }
        String actual = sha256(path);
        if (!actual.equals(expected.sha256())) {
            throw new IOException("backup file " + expected.name() + " has SHA-256 " + actual + ", the manifest says "
                    + expected.sha256());
        }
    }

    public static String sha256(Path path) throws IOException {
        MessageDigest digest = LogicalDump.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
