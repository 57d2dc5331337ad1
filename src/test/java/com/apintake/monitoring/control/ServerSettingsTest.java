package com.apintake.monitoring.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

    static final long MB = 1024L * 1024;
    static final long GB = 1024 * MB;

    static Map<String, ServerSettings.Setting> defaults(long sharedBuffers, long workMem, int maxConnections) {
        Map<String, ServerSettings.Setting> s = new HashMap<>();
        s.put("shared_buffers", new ServerSettings.Setting("shared_buffers", "", sharedBuffers, true));
        s.put("effective_cache_size", new ServerSettings.Setting("effective_cache_size", "", 4 * GB, false));
        s.put("work_mem", new ServerSettings.Setting("work_mem", "", workMem, false));
        s.put("maintenance_work_mem", new ServerSettings.Setting("maintenance_work_mem", "", 64 * MB, false));
        s.put("max_connections", new ServerSettings.Setting("max_connections", "" + maxConnections, null, true));
        s.put("random_page_cost", new ServerSettings.Setting("random_page_cost", "4", null, false));
        s.put("max_wal_size", new ServerSettings.Setting("max_wal_size", "", GB, false));
        s.put("autovacuum", new ServerSettings.Setting("autovacuum", "on", null, false));
        s.put("autovacuum_max_workers", new ServerSettings.Setting("autovacuum_max_workers", "3", null, true));
        s.put(
                "idle_in_transaction_session_timeout",
                new ServerSettings.Setting("idle_in_transaction_session_timeout", "0", null, false));
        return s;
    }

    @Test
    void postgresDefaultsOnA16GbMachineAreJudgedWithTheLinesToChange() {
        var machine = new ServerSettings.Machine(16 * GB, 8, "test");
        var advice = ServerSettings.judge(machine, defaults(128 * MB, 4 * MB, 100), 90, 30);
        var byName = new HashMap<String, ServerSettings.Advice>();
        advice.forEach(a -> byName.put(a.name(), a));
        assertThat(byName.get("shared_buffers").status()).isEqualTo("warning");
        assertThat(byName.get("shared_buffers").postgresqlConf()).isEqualTo("shared_buffers = '4GB'");
        assertThat(byName.get("effective_cache_size").postgresqlConf()).isEqualTo("effective_cache_size = '12GB'");
        assertThat(byName.get("random_page_cost").status()).isEqualTo("info");
        assertThat(byName.get("max_wal_size").status())
                .as("25 % forced checkpoints")
                .isEqualTo("warning");
        assertThat(byName.get("max_wal_size").postgresqlConf()).isEqualTo("max_wal_size = '2GB'");
        assertThat(byName.get("idle_in_transaction_session_timeout").status()).isEqualTo("warning");
        assertThat(byName.get("autovacuum").recommended()).isEqualTo("on, 4 workers");
    }

    @Test
    void workMemThatCannotFitForEveryConnectionIsCritical() {
        var machine = new ServerSettings.Machine(4 * GB, 2, "test");
        var advice = ServerSettings.judge(machine, defaults(GB, 64 * MB, 200), 0, 0);
        assertThat(advice.stream()
                        .filter(a -> a.name().equals("work_mem"))
                        .findFirst()
                        .orElseThrow()
                        .status())
                .isEqualTo("critical");
    }
}
