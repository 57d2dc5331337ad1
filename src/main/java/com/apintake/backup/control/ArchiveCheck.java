package com.apintake.backup.control;

import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The cheap check after every logical backup, on what the dump's single pass produced: every file
 * has the size the manifest records (its SHA-256 was computed while it was written, so it is not read
 * again), and pg_restore read the archive's table of contents, which lists the data of every critical
 * table the backup should hold. No second read of the data: the drill restores it.
 */
public final class ArchiveCheck {

    private ArchiveCheck() {}

    /** Throws, saying what is wrong, unless the backup passes. toc: the lines pg_restore --list printed. */
    public static void check(Path directory, List<BackupFile> files, List<String> toc, List<TableCount> tables)
            throws IOException {
        check(directory, files, toc, tables, Map.of());
    }

    /**
     * As above; dataTables ({@link CriticalTables#dataTables}) names the tables that hold a partitioned
     * critical table's rows: the archive lists data for those, not for the partitioned table itself.
     */
    public static void check(
            Path directory,
            List<BackupFile> files,
            List<String> toc,
            List<TableCount> tables,
            Map<String, List<String>> dataTables)
            throws IOException {
        for (BackupFile file : files) {
            Path path = directory.resolve(file.name());
            if (!Files.isRegularFile(path) || Files.size(path) != file.bytes()) {
                throw new IOException("backup file " + file.name() + " is missing or not the size written");
            }
        }
        long entries = toc.stream()
                .filter(line -> !line.isBlank() && !line.startsWith(";"))
                .count();
        if (entries == 0) {
            throw new IOException("pg_restore --list shows an empty archive");
        }
        for (TableCount table : tables) {
            List<String> holders = dataTables.getOrDefault(table.table(), List.of(table.table()));
            if (holders.isEmpty()) {
                continue; // a partitioned table without partitions holds no rows
            }
            boolean listed = holders.stream().anyMatch(holder -> listsData(toc, holder));
            if (!listed) {
                throw new IOException("pg_restore --list shows no data for critical table " + table.table());
            }
        }
    }

    private static boolean listsData(List<String> toc, String table) {
        String bare = table.contains(".") ? table.substring(table.indexOf('.') + 1) : table;
        return toc.stream().anyMatch(line -> line.contains(" TABLE DATA ") && line.matches(".* " + bare + " [^ ]+$"));
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
