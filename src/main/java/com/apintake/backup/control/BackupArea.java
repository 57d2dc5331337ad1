package com.apintake.backup.control;

import com.apintake.backup.entity.BackupKind;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * The backup folder: readable by the service account only (folders 0700, files 0600), one folder
 * per backup named so `ls` sorts them by time, and nothing deleted outside it.
 */
public final class BackupArea {

    static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path root;

    public BackupArea(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** A new folder for one backup, e.g. 20261127T020000Z-42-full; the area itself is created 0700 when missing. */
    public Path newBackupDirectory(long id, BackupKind kind, Instant start) throws IOException {
        privateDirectory(root);
        Path directory = root.resolve(STAMP.format(start) + "-" + id + "-" + kind.label());
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        Files.setPosixFilePermissions(directory, PRIVATE_DIRECTORY);
        return directory;
    }

    /** A new file only the owner can read; the mode is set at creation, so no one can open it in between. */
    public static OutputStream createPrivateFile(Path file) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        Files.setPosixFilePermissions(file, PRIVATE_FILE); // the umask may have narrowed nothing, but never widened
        return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * As {@link #createPrivateFile}, and closing the stream forces the file to the disk (fsync), as pg_dump
     * does with the files it writes itself: a backup recorded as done is on the disk, not only in the page
     * cache. For backup files; scratch files of a drill need not survive a crash. Large files are forced in
     * stretches while they are written ({@link DurableFile}), so the close waits only for the last one.
     */
    public static OutputStream createDurableFile(Path file) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        Files.setPosixFilePermissions(file, PRIVATE_FILE);
        return new DurableFile(FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Forces a folder's entries (a file created or renamed in it) to the disk. */
    public static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    public static void privateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        }
        Files.setPosixFilePermissions(directory, PRIVATE_DIRECTORY);
    }

    public boolean contains(Path path) {
        Path normalized = path.toAbsolutePath().normalize();
        return normalized.startsWith(root) && !normalized.equals(root);
    }

    /** Removes a backup's folder with everything in it; refuses any path outside the area. */
    public void remove(Path directory) throws IOException {
        if (directory == null) {
            return;
        }
        if (!contains(directory)) {
            throw new IOException("refusing to delete " + directory + ": it is outside the backup area " + root);
        }
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
                deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteIfExists(Path path) throws IOException {
        try {
            Files.deleteIfExists(path);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
    }
}
