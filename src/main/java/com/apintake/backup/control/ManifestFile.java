package com.apintake.backup.control;

import com.apintake.backup.entity.Backup;
import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.TableCount;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * manifest.json beside a backup's files: the same facts as its backups row, so the folder alone
 * tells an operator what it holds and how to check it, even when the application database is lost.
 */
public final class ManifestFile {

    public static final String NAME = "manifest.json";

    private ManifestFile() {}

    /** Rewrites the manifest atomically (temp file + rename), 0600, forced to the disk with its folder. */
    public static void write(Path directory, Backup backup, String encryption) throws IOException {
        Path temporary = directory.resolve(NAME + ".tmp");
        Files.deleteIfExists(temporary);
        try (OutputStream out = BackupArea.createDurableFile(temporary);
                var writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true))
                        .createWriter(out)) {
            writer.writeObject(toJson(backup, encryption));
        }
        Files.move(
                temporary,
                directory.resolve(NAME),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        // The rename and the backup's files are then on the disk too, not only the manifest's bytes.
        BackupArea.syncDirectory(directory);
    }

    static JsonObject toJson(Backup backup, String encryption) {
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("format", "ap-intake backup manifest 1")
                .add("id", backup.id())
                .add("kind", backup.kind().label())
                .add("status", backup.status().name())
                .add("triggeredBy", backup.triggeredBy());
        put(json, "database", backup.database());
        put(json, "startedAt", backup.startedAt());
        put(json, "finishedAt", backup.finishedAt());
        put(json, "durationMillis", backup.durationMillis());
        put(json, "sizeBytes", backup.sizeBytes());
        put(json, "serverVersion", backup.serverVersion());
        put(json, "toolVersion", backup.toolVersion());
        json.add("encryption", encryption);
        json.add("files", files(backup.files()));
        json.add("tables", tables(backup.tables()));
        put(json, "walStart", backup.walStart());
        put(json, "failureReason", backup.failureReason());
        put(json, "verifiedAt", backup.verifiedAt());
        put(json, "restoreMillis", backup.restoreMillis());
        put(json, "verifyFailure", backup.verifyFailure());
        return json.build();
    }

    public static JsonArray files(List<BackupFile> files) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        files.forEach(file -> array.add(Json.createObjectBuilder()
                .add("name", file.name())
                .add("bytes", file.bytes())
                .add("sha256", file.sha256())));
        return array.build();
    }

    public static JsonArray tables(List<TableCount> tables) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        tables.forEach(table -> {
            JsonObjectBuilder entry =
                    Json.createObjectBuilder().add("table", table.table()).add("rows", table.rows());
            if (table.checksum() != null) {
                entry.add("checksum", table.checksum());
            }
            array.add(entry);
        });
        return array.build();
    }

    public static List<BackupFile> parseFiles(String json) {
        List<BackupFile> files = new ArrayList<>();
        for (JsonValue value : array(json)) {
            JsonObject file = value.asJsonObject();
            files.add(new BackupFile(
                    file.getString("name"), file.getJsonNumber("bytes").longValue(), file.getString("sha256")));
        }
        return files;
    }

    public static List<TableCount> parseTables(String json) {
        List<TableCount> tables = new ArrayList<>();
        for (JsonValue value : array(json)) {
            JsonObject table = value.asJsonObject();
            tables.add(new TableCount(
                    table.getString("table"),
                    table.getJsonNumber("rows").longValue(),
                    table.getString("checksum", null)));
        }
        return tables;
    }

    private static JsonArray array(String json) {
        if (json == null || json.isBlank()) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readArray();
        }
    }

    private static void put(JsonObjectBuilder json, String name, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof Number number) {
            json.add(name, number.longValue());
        } else {
            json.add(name, value instanceof Instant instant ? instant.toString() : value.toString());
        }
    }
}
