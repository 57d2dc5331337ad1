package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.backup.entity.BackupKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pg_dump's compression level of the logical backups (apintake.backup.compress-level). */
class DumpCompressionTest {

    private final PostgresTools tools = new PostgresTools(Path.of("/usr/lib/postgresql/15/bin"), "");
    private final DatabaseEndpoint endpoint =
            new DatabaseEndpoint("127.0.0.1", 5432, "ap_intake", "ap_intake", null, Map.of());
    private final CriticalTables critical = CriticalTables.parse("invoices");

    private List<String> command(LogicalDump dump, BackupKind kind) {
        return dump.command(kind, "00000003-00000002-1", Map.of());
    }

    @Test
    void theProductDumpsWithZlibLevelOneUnlessTold() {
        var dump = new LogicalDump(tools, endpoint, null, critical, Duration.ofMinutes(1), 60);

        assertThat(command(dump, BackupKind.FULL)).contains("--format=custom", "--compress=1");
        assertThat(command(dump, BackupKind.CRITICAL)).contains("--compress=1");
    }

    @Test
    void pgDumpsOwnDefaultLeavesTheFlagOut() {
        var dump = new LogicalDump(
                tools, endpoint, null, critical, Duration.ofMinutes(1), 60, 0, LogicalDump.PG_DUMP_DEFAULT);

        assertThat(command(dump, BackupKind.FULL)).noneMatch(argument -> argument.startsWith("--compress"));
    }

    @Test
    void aLevelOutsideZlibsRangeIsRefused() {
        assertThatThrownBy(() -> new LogicalDump(tools, endpoint, null, critical, Duration.ofMinutes(1), 60, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0-9");
    }

    @Test
    void theSettingTakesALevelOrDefault() {
        var settings = new BackupSettings();
        settings.compressLevel = " 6 ";
        assertThat(settings.compressLevel()).isEqualTo(6);
        settings.compressLevel = "Default";
        assertThat(settings.compressLevel()).isEqualTo(LogicalDump.PG_DUMP_DEFAULT);
        settings.compressLevel = "fast";
        assertThatThrownBy(settings::compressLevel)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apintake.backup.compress-level");
    }
}
