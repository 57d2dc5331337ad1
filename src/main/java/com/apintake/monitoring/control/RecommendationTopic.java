package com.apintake.monitoring.control;

import com.apintake.monitoring.entity.Recommendation;
import com.apintake.monitoring.entity.Vitals;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One topic of the recommendations (indexes, maintenance, connections, settings, space, sequences):
 * a CDI bean with its own checks, each one small query with the threshold it compares against.
 * {@link Recommendations} asks every topic bean, so a new topic plugs in by being one.
 */
public interface RecommendationTopic {

    /** Adds this topic's findings; connection is shared by all topics of one request. */
    void find(Connection connection, Vitals vitals, List<Recommendation> found) throws SQLException;
}
