package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendations of the space topic: bloated tables (table_bloat threshold), bloated indexes
 * (index_bloat, which the weekly maintenance rebuilds concurrently) and a disk budget running out
 * (disk_budget). Sequences and invalid indexes are the other topics' business.
 */
@ApplicationScoped
public class SpaceRecommendations implements RecommendationTopic {

    @Inject
    Space space;

    @Override
    public void find(Connection connection, Vitals vitals, List<Recommendation> found) {
        Space.Report report = space.report();
        for (var table : report.tables()) {
            if (!table.status().equals("ok")) {
                found.add(new Recommendation(
                        "table_bloat",
                        table.status(),
                        table.schema() + "." + table.table(),
                        evidence(
                                "heapBytes", table.heapBytes(),
                                "bloatBytes", table.bloatBytes(),
                                "bloatPercent", table.bloatPercent(),
                                "deadRows", table.deadRows()),
                        "sql",
                        "VACUUM (VERBOSE, ANALYZE) " + table.schema() + "." + table.table()
                                + ";  -- frees the space for reuse; only VACUUM FULL or pg_repack (an exclusive lock"
                                + " or an extension) give it back to the disk"));
            }
        }
        for (var index : report.indexes()) {
            if (index.valid() && !index.status().equals("ok")) {
                found.add(new Recommendation(
                        "index_bloat",
                        index.status(),
                        index.schema() + "." + index.index(),
                        evidence(
                                "bytes",
                                index.bytes(),
                                "bloatBytes",
                                index.bloatBytes(),
                                "bloatPercent",
                                index.bloatPercent()),
                        "sql",
                        "REINDEX INDEX CONCURRENTLY " + index.schema() + "." + index.index()
                                + ";  -- the weekly maintenance does this for indexes past the index_bloat threshold"));
            }
        }
        var database = report.database();
        if (!database.status().equals("ok")) {
            found.add(new Recommendation(
                    "disk_budget",
                    database.status(),
                    database.name(),
                    evidence(
                            "bytes", database.bytes(),
                            "budgetBytes", database.budgetBytes(),
                            "growthBytesPerDay", database.growthBytesPerDay(),
                            "daysToBudget", database.daysToBudget()),
                    "advice",
                    "The database reaches its disk budget (apintake.monitoring.disk-budget-bytes) in "
                            + database.daysToBudget()
                            + " days at its current growth: grow the volume, or look at table_bloat and the retention"
                            + " settings."));
        }
    }

    private static Map<String, Object> evidence(Object... pairs) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            evidence.put((String) pairs[i], pairs[i + 1]);
        }
        return evidence;
    }
}
