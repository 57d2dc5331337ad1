package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What a DBA would change, each with the numbers behind it and a fix that can be applied as it
 * stands: the findings of every {@link RecommendationTopic} (IndexRecommendations,
 * MaintenanceRecommendations, ConnectionRecommendations, SettingsRecommendations,
 * SpaceRecommendations, SequenceRecommendations), on one connection, in a stable order. Index
 * changes come as Liquibase formatted-SQL changeSets, because the changelog owns the schema; every
 * threshold is the registry's (platform/control/Thresholds).
 */
@ApplicationScoped
public class Recommendations {

    /** The seven performance indexes of liquibase/changes/002 (kept here for the reports). */
    public static final Set<String> LIQUIBASE_OWNED = IndexRecommendations.LIQUIBASE_OWNED;

    /** The order topics report in: the DBA's order of urgency rather than CDI's. */
    static final List<String> ORDER = List.of(
            "IndexRecommendations",
            "MaintenanceRecommendations",
            "SequenceRecommendations",
            "SettingsRecommendations",
            "ConnectionRecommendations",
            "SpaceRecommendations");

    @Inject
    MonitoringConnections dataSource;

    @Inject
    @Any
    Instance<RecommendationTopic> topics;

    public List<Recommendation> all(Vitals vitals) {
        List<RecommendationTopic> ordered = new ArrayList<>();
        topics.forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(t -> rank(t)));
        List<Recommendation> found = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (RecommendationTopic topic : ordered) {
                topic.find(connection, vitals, found);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the statistics for recommendations failed", e);
        }
        return found;
    }

    private static int rank(RecommendationTopic topic) {
        String name = topic.getClass().getSimpleName();
        for (int i = 0; i < ORDER.size(); i++) {
            if (name.startsWith(ORDER.get(i))) {
                return i;
            }
        }
        return ORDER.size();
    }
}
