package com.apintake.monitoring.control;

import static com.apintake.monitoring.control.Findings.evidence;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import com.apintake.platform.control.Thresholds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendations of the settings topic: every server setting {@link ServerSettings} does not judge
 * ok, with its postgresql.conf line, and a buffer cache hit ratio below the registry's cache_hit_ratio.
 */
@ApplicationScoped
public class SettingsRecommendations implements RecommendationTopic {

    static final String SHARED_BUFFERS = "SELECT current_setting('shared_buffers')";

    @Inject
    ServerSettings settings;

    @Inject
    Thresholds thresholds;

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException {
        cacheHit(connection, found, vitals);
        found.addAll(fromSettings());
    }

    private void cacheHit(Connection connection, List<Recommendation> found, Vitals vitals) throws SQLException {
        var d = vitals.database();
        // Below a few thousand block reads the ratio says more about a cold start than about memory.
        if (d == null
                || d.cacheHitRatio() == null
                || !limit("cache_hit_ratio").warns(100 * d.cacheHitRatio())
                || d.blocksHit() + d.blocksRead() < 10_000) {
            return;
        }
        String sharedBuffers;
        try (var statement = connection.prepareStatement(SHARED_BUFFERS);
                var rows = statement.executeQuery()) {
            rows.next();
            sharedBuffers = rows.getString(1);
        }
        found.add(
                new Recommendation(
                        "low_cache_hit",
                        limit("cache_hit_ratio").critical(100 * d.cacheHitRatio()) ? "critical" : "warning",
                        "database",
                        evidence(
                                "cacheHitRatio", d.cacheHitRatio(),
                                "tableHitRatio", d.tableHitRatio(),
                                "indexHitRatio", d.indexHitRatio(),
                                "blocksHit", d.blocksHit(),
                                "blocksRead", d.blocksRead(),
                                "threshold", limit("cache_hit_ratio").warn() / 100,
                                "sharedBuffers", sharedBuffers,
                                "databaseBytes", d.sizeBytes()),
                        "advice",
                        "The working set does not fit in shared_buffers (" + sharedBuffers
                                + "). Look first for sequential scans on large tables (missing_index),"
                                + " then raise shared_buffers towards 25 % of the server's memory (postgresql.conf, restart)."));
    }

    private Thresholds.Limit limit(String name) {
        return thresholds.limit(name);
    }

    private List<Recommendation> fromSettings() {
        return settings.report().settings().stream()
                .filter(a -> !a.status().equals("ok"))
                .map(a -> {
                    Map<String, Object> evidence = new LinkedHashMap<>();
                    evidence.put("current", a.current());
                    evidence.put("recommended", a.recommended());
                    evidence.put("reason", a.reason());
                    return new Recommendation(
                            "setting", a.status(), a.name(), evidence, "postgresql.conf", a.postgresqlConf());
                })
                .toList();
    }
}
