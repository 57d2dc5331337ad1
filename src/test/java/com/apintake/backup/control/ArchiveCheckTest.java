package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.backup.entity.TableCount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveCheckTest {

    private static final List<TableCount> CRITICAL =
            List.of(new TableCount("invoices", 1, "0"), new TableCount("validations", 1, "0"));

    @Test
    void aPartitionedTableCountsAsListedWhenItsMonthOrDefaultPartitionsCarryData() {
        List<String> toc = List.of(
                "; Archive created at 2026-12-01",
                "3401; 0 16390 TABLE DATA public invoices postgres",
                "3402; 0 16501 TABLE DATA public validations_p2026_12 postgres");
        assertThatCode(() -> ArchiveCheck.check(Path.of("."), List.of(), toc, CRITICAL))
                .doesNotThrowAnyException();
        List<String> viaDefault = List.of(
                "3401; 0 16390 TABLE DATA public invoices postgres",
                "3402; 0 16501 TABLE DATA public validations_default postgres");
        assertThatCode(() -> ArchiveCheck.check(Path.of("."), List.of(), viaDefault, CRITICAL))
                .doesNotThrowAnyException();
    }

    @Test
    void aTableWithoutDataOfItsOwnOrOfItsPartitionsIsMissing() {
        List<String> toc = List.of(
                "3401; 0 16390 TABLE DATA public invoices postgres",
                "3402; 0 16501 TABLE DATA public validations_archive postgres",
                "3403; 0 16502 TABLE public validations postgres");
        assertThatThrownBy(() -> ArchiveCheck.check(Path.of("."), List.of(), toc, CRITICAL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("validations");
    }
}
