package com.apintake.backup.control;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the PostgreSQL client programs backups run: first in the configured folder
 * (apintake.backup.pg-bin, Debian's /usr/lib/postgresql/15/bin by default), then on the PATH.
 * pg_dump refuses a server of a newer major version, so the folder should hold the server's major.
 */
public final class PostgresTools {

    public static final List<String> LOGICAL = List.of("pg_dump", "pg_restore", "pg_dumpall");
    public static final List<String> PHYSICAL = List.of("pg_basebackup", "pg_verifybackup", "pg_archivecleanup");

    private final Path binDir;
    private final String path;

    public PostgresTools(Path binDir, String path) {
        this.binDir = binDir;
        this.path = path == null ? "" : path;
    }

    public static PostgresTools of(String binDir) {
        return new PostgresTools(
                binDir == null || binDir.isBlank() ? null : Path.of(binDir.trim()), System.getenv("PATH"));
    }

    public Optional<Path> find(String tool) {
        if (binDir != null && Files.isExecutable(binDir.resolve(tool))) {
            return Optional.of(binDir.resolve(tool));
        }
        for (String folder : path.split(File.pathSeparator)) {
            if (!folder.isBlank() && Files.isExecutable(Path.of(folder, tool))) {
                return Optional.of(Path.of(folder, tool));
            }
        }
        return Optional.empty();
    }

    public String tool(String tool) {
        return find(tool)
                .orElseThrow(() -> new IllegalStateException(missingMessage(List.of(tool))))
                .toString();
    }

    public List<String> missing(List<String> tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (find(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        return missing;
    }

    /** What an operator reads when a tool is missing: which, where we looked, how to fix it. */
    public String missingMessage(List<String> missing) {
        return "PostgreSQL client tools not found: " + String.join(", ", missing) + " (looked in "
                + (binDir == null ? "" : binDir + " and ") + "the PATH). Install postgresql-client-15"
                + " (Debian: apt-get install postgresql-client-15) or point apintake.backup.pg-bin at their folder.";
    }

    /** Versions already asked, by the program's path and modification time (an upgraded binary is asked again). */
    private static final java.util.Map<String, String> VERSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". Remembered per binary: asking starts a process,
     * which every backup would otherwise pay for.
     */
    public String version(String tool) {
        String path = tool(tool);
        String key;
        try {
            key = path + "@" + Files.getLastModifiedTime(Path.of(path)).toMillis();
        } catch (IOException e) {
            return ask(tool);
        }
        String known = VERSIONS.get(key);
        if (known != null) {
            return known;
        }
        String asked = ask(tool);
        if (!asked.contains("version unknown")) {
            VERSIONS.put(key, asked);
        }
        return asked;
    }

    private String ask(String tool) {
        try {
            Process process = new ProcessBuilder(tool(tool), "--version")
                    .redirectErrorStream(true)
                    .start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            return tool + " (version unknown: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tool + " (version unknown)";
        }
    }
}
