package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.backup.entity.BackupFile;
import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table-of-contents check with partitioned critical tables. The lines are what pg_restore 15 --list
 * printed for a partitioned table v with one partition v_2026 (checked by hand on this machine): the data
 * is listed under the partition only.
 */
class ArchiveCheckTest {

    static final List<String> PARTITIONED_TOC = List.of(
            ";",
            "; Archive created at 2026-12-01 18:24:00 UTC",
            "214; 1259 16904 TABLE public validations postgres",
            "215; 1259 16907 TABLE public validations_2026 postgres",
            "3198; 0 0 TABLE ATTACH public validations_2026 postgres",
            "3341; 0 16907 TABLE DATA public validations_2026 postgres",
            "3342; 0 16910 TABLE DATA public invoices postgres");

    @TempDir
    Path directory;

    @Test
    void aPartitionedCriticalTableIsHeldByTheDataOfItsPartitions() throws IOException {
        List<BackupFile> files = List.of(file("x.dump", 10));
        List<TableCount> tables = List.of(new TableCount("validations", 2, "1"), new TableCount("invoices", 3, "2"));

        assertThatCode(() -> ArchiveCheck.check(
                        directory,
                        files,
                        PARTITIONED_TOC,
                        tables,
                        Map.of(
                                "validations", List.of("public.validations_2026"),
                                "invoices", List.of("public.invoices"))))
                .doesNotThrowAnyException();
        // Without knowing the partitions, the parent's missing TABLE DATA line reads as a lost table.
        assertThatThrownBy(() -> ArchiveCheck.check(directory, files, PARTITIONED_TOC, tables))
                .hasMessageContaining("no data for critical table validations");
    }

    @Test
    void aPartitionWhoseDataIsMissingFailsTheCheck() throws IOException {
        List<BackupFile> files = List.of(file("x.dump", 10));
        List<TableCount> tables = List.of(new TableCount("validations", 2, "1"));

        assertThatThrownBy(() -> ArchiveCheck.check(
                        directory,
                        files,
                        PARTITIONED_TOC,
                        tables,
                        Map.of("validations", List.of("public.validations_2027"))))
                .hasMessageContaining("no data for critical table validations");
        assertThatCode(() ->
                        ArchiveCheck.check(directory, files, PARTITIONED_TOC, tables, Map.of("validations", List.of())))
                .as("a partitioned table without partitions holds no rows")
                .doesNotThrowAnyException();
    }

    private BackupFile file(String name, int bytes) throws IOException {
        Files.write(directory.resolve(name), new byte[bytes]);
        return new BackupFile(name, bytes, "unused");
    }
}
