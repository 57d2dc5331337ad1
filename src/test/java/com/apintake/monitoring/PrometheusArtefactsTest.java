package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.platform.control.Thresholds;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus rules and the Grafana dashboard that ship in server-config/: linted and unit-tested
 * by promtool, and holding the same thresholds as the registry (platform/control/Thresholds) and the
 * defaults the application actually runs with (microprofile-config.properties).
 */
class PrometheusArtefactsTest {

    private static final Pattern COMPARISON = Pattern.compile("(>=|<=|<|>)\\s*([0-9.]+)\\s*$");

    @Test
    void promtoolFindsTheRulesValid() throws Exception {
        var check = PrometheusArtefacts.promtool(null, "check", "rules", "ap-intake.rules.yml");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertPassesItsPromtoolUnitTests() throws Exception {
        var test = PrometheusArtefacts.promtool(null, "test", "rules", "ap-intake.rules.test.yml");
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
        for (var rule : PrometheusArtefacts.rules()) {
            assertThat(java.nio.file.Files.readString(PrometheusArtefacts.RULE_TESTS))
                    .as("a unit test for " + rule.alert())
                    .contains("alertname: " + rule.alert());
        }
    }

    @Test
    void ruleThresholdsEqualTheRegistryAndTheConfiguredDefaults() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/microprofile-config.properties")) {
            defaults.load(in);
        }
        List<String> checked = new ArrayList<>();
        for (var rule : PrometheusArtefacts.rules()) {
            Matcher m = COMPARISON.matcher(rule.expr());
            assertThat(m.find())
                    .as(rule.alert() + " ends with a comparison: " + rule.expr())
                    .isTrue();
            double inRule = Double.parseDouble(m.group(2));
            boolean warning = rule.severity().equals("warning");
            assertThat(rule.severity()).isIn("warning", "critical");
            if (rule.threshold().equals("backup_freshness")) {
                String key = warning ? "apintake.backup.health.warn-hours" : "apintake.backup.health.crit-hours";
                assertThat(inRule)
                        .as(rule.alert() + " against " + key)
                        .isEqualTo(Double.parseDouble(defaults.getProperty(key)));
            } else {
                Thresholds.Limit limit = Thresholds.defaults(rule.threshold());
                double registry = warning ? limit.warn() : limit.crit();
                assertThat(inRule)
                        .as(rule.alert() + " " + rule.severity() + " against the registry")
                        .isEqualTo(registry);
                String key = "apintake.threshold." + rule.threshold() + (warning ? ".warn" : ".crit");
                assertThat(defaults.getProperty(key))
                        .as(key + " in microprofile-config.properties")
                        .isNotNull();
                assertThat(Double.parseDouble(defaults.getProperty(key)))
                        .as(key)
                        .isEqualTo(registry);
                // the comparison points the registry's way: >= for more-is-worse, < for less-is-worse
                assertThat(m.group(1)).as(rule.alert()).isEqualTo(limit.higherIsWorse() ? ">=" : "<");
            }
            checked.add(rule.threshold() + "/" + rule.severity());
        }
        assertThat(checked)
                .contains(
                        "health_score/warning",
                        "health_score/critical",
                        "pool_utilization/critical",
                        "query_latency/warning",
                        "cache_hit_ratio/critical",
                        "lock_contention/warning",
                        "backup_freshness/critical",
                        "intake_queue_age/warning",
                        "intake_queue_age/critical",
                        "intake_queue_depth/critical",
                        "replica_lag_seconds/warning",
                        "replica_lag_seconds/critical",
                        "replica_lag_bytes/critical",
                        "wal_archive_disk_days_left/warning",
                        "wal_archive_disk_days_left/critical",
                        "admission_refusals/warning",
                        "admission_refusals/critical");
    }

    @Test
    void everyRegistryDefaultIsTheConfiguredDefault() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/microprofile-config.properties")) {
            defaults.load(in);
        }
        for (var limit : Thresholds.DEFAULTS) {
            String prefix = "apintake.threshold." + limit.name();
            assertThat(Double.parseDouble(defaults.getProperty(prefix + ".warn")))
                    .as(prefix)
                    .isEqualTo(limit.warn());
            assertThat(Double.parseDouble(defaults.getProperty(prefix + ".crit")))
                    .as(prefix)
                    .isEqualTo(limit.crit());
        }
    }

    @Test
    void theDashboardShowsWhatTheIssueAsksFor() throws IOException {
        var names = new java.util.TreeSet<String>();
        PrometheusArtefacts.dashboardExpressions().forEach(e -> names.addAll(PrometheusArtefacts.metricNames(e)));
        assertThat(names)
                .contains(
                        "database_health_score",
                        "database_health_component_penalty",
                        "database_pool_used",
                        "database_statement_mean_seconds",
                        "database_cache_hit_ratio",
                        "database_blocked_sessions",
                        "backup_last_success_age_seconds",
                        "apintake_invoices_received_total",
                        "apintake_intake_seconds_bucket",
                        "intake_queue_depth",
                        "intake_queue_oldest_job_age_seconds",
                        "apintake_replica_lag_seconds",
                        "apintake_replica_lag_wal_bytes",
                        "backup_wal_archive_size_bytes",
                        "backup_wal_archive_runway_seconds",
                        "apintake_admission_in_flight",
                        "apintake_admission_limit",
                        "apintake_admission_refused_total");
    }
}
