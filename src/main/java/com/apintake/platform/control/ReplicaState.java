package com.apintake.platform.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether reads may go to the replica behind the read pool (jdbc/apintake-read): it must answer, be a
 * standby, and lag at most apintake.replica.max-lag-seconds. Measured at most every
 * apintake.replica.check-seconds, outside any caller's transaction, so a request costs no extra query.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.NOT_SUPPORTED)
public class ReplicaState {

    private static final Logger LOG = Logger.getLogger(ReplicaState.class.getName());

    /** Where reads go now and why. lagBytes and lagSeconds are NaN when the replica could not be measured. */
    public record State(
            String source,
            String reason,
            boolean replicaConfigured,
            double lagBytes,
            double lagSeconds,
            Instant measuredAt) {
        public static final String REPLICA = "replica";
        public static final String PRIMARY = "primary";

        public boolean replica() {
            return REPLICA.equals(source);
        }
    }

    @Resource(lookup = "jdbc/apintake")
    DataSource primary;

    @Resource(lookup = "jdbc/apintake-read")
    DataSource read;

    /** Replication lag above which reads fall back to the primary. */
    @Inject
    @ConfigProperty(name = "apintake.replica.max-lag-seconds", defaultValue = "30")
    double maxLagSeconds;

    @Inject
    @ConfigProperty(name = "apintake.replica.check-seconds", defaultValue = "5")
    int checkSeconds;

    private volatile State state;

    /**
     * The last measured state, without measuring (null before the first): what a scrape reads. Read routing
     * ({@link #current()}) and the monitoring loop (ReplicaMetrics) measure it.
     */
    public State lastKnown() {
        return state;
    }

    public State current() {
        State known = state;
        if (known == null || known.measuredAt().isBefore(Instant.now().minusSeconds(checkSeconds))) {
            known = measure();
            state = known;
        }
        return known;
    }

    /** A read connection could not be had: reads go to the primary until the next measurement. */
    public void failed(SQLException e) {
        state = new State(
                State.PRIMARY, "replica unreachable: " + firstLine(e), true, Double.NaN, Double.NaN, Instant.now());
    }

    State measure() {
        try (Connection readConnection = read.getConnection()) {
            ReplicationLag.Measurement lag = ReplicationLag.measure(readConnection, primary::getConnection);
            if (!lag.standby()) {
                return new State(
                        State.PRIMARY, "no replica: the read pool reaches the primary", false, 0, 0, Instant.now());
            }
            if (!(lag.seconds() <= maxLagSeconds)) {
                return new State(
                        State.PRIMARY,
                        Double.isNaN(lag.seconds())
                                ? "replica lags: WAL waits for replay and no transaction has been replayed yet"
                                : "replica lags " + Math.round(lag.seconds()) + " s, more than " + maxLagSeconds + " s",
                        true,
                        lag.bytes(),
                        lag.seconds(),
                        Instant.now());
            }
            return new State(State.REPLICA, "replica in sync", true, lag.bytes(), lag.seconds(), Instant.now());
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "Replica not measurable", e);
            return new State(
                    State.PRIMARY, "replica unreachable: " + firstLine(e), true, Double.NaN, Double.NaN, Instant.now());
        }
    }

    private static String firstLine(Exception e) {
        return e.getClass().getSimpleName() + ": "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
