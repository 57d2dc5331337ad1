package com.apintake.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitoring does not queue behind a table lock. The test holds an ACCESS EXCLUSIVE lock on invoices
 * (as a migration, VACUUM FULL or REINDEX would) while the monitoring loop runs several rounds (every 2 s,
 * snapshots every 3 s in the tests; the snapshots call pg_total_relation_size, which waits for the lock),
 * and watches pg_stat_activity: no monitoring statement (one that stores a snapshot or reads a table size)
 * on a connection of the application's pool may wait on a lock longer than the monitoring's lock_timeout
 * (apintake.monitoring.lock-timeout-ms, 1000) plus slack, and at least one must have met the lock.
 * Without the lock_timeout they wait until the pool's statement timeout (60 s in the tests), each
 * holding a pool connection the API needs. Other components' timers are not the monitoring's: the
 * analytics roll-up (Rollups) was seen waiting the whole 15 s; the message lists such waiters.
 */
@ExtendWith(ArquillianExtension.class)
class MonitoringLockTimeoutIT {

    /** The application pool's ApplicationName (server-config/test.asadmin: ap-intake-@ENVIRONMENT@). */
    static final String POOL = "ap-intake-test";

    static final long LOCK_TIMEOUT_MS = 1000;

    /** Generous: the look itself runs every 100 ms, but the machine is a loaded 2-core one. */
    static final long SLACK_MS = 1500;

    /** The monitoring's statements that wait for a locked user table: its snapshots, which read table sizes. */
    static final Pattern MONITORING =
            Pattern.compile("(table_size_snapshots|relation_size_snapshots|monitoring_snapshots|statement_snapshots"
                    + "|pg_total_relation_size|pg_relation_size)");

    static final String WAITERS = """
            SELECT pid, (extract(epoch FROM clock_timestamp() - query_start) * 1000)::bigint, query
            FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND application_name = ? AND pid <> pg_backend_pid()""";

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    record Waiter(int pid, long waitedMillis, String query) {}

    @Test
    void monitoringStatementsGiveUpOnALockedTableWithinTheLockTimeout() throws Exception {
        // The server is up and its pool has connections under the expected name (else the look below sees nothing).
        assertThat(Http.get(base, "/api/v1/database/health").status()).isEqualTo(200);
        try (Connection look = TestEnvironment.connect()) {
            assertThat(poolConnections(look))
                    .as("connections of %s in pg_stat_activity", POOL)
                    .isPositive();
            Map<Integer, Waiter> seen = new TreeMap<>();
            Map<Integer, Waiter> others = new TreeMap<>();
            long longest = 0;
            try (Connection lock = TestEnvironment.connect()) {
                lock.setAutoCommit(false);
                lock.createStatement().execute("LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE");
                long end = System.nanoTime() + 15_000_000_000L;
                while (System.nanoTime() < end) {
                    for (Waiter waiter : waiters(look)) {
                        boolean ours = MONITORING.matcher(waiter.query()).find();
                        (ours ? seen : others)
                                .merge(waiter.pid(), waiter, (a, b) -> a.waitedMillis() >= b.waitedMillis() ? a : b);
                        if (ours) {
                            longest = Math.max(longest, waiter.waitedMillis());
                        }
                    }
                    Thread.sleep(100);
                }
                lock.rollback();
            }
            assertThat(seen)
                    .as("the monitoring's snapshots ran into the lock at least once in 15 s")
                    .isNotEmpty();
            assertThat(longest)
                    .as(
                            "the longest lock wait of a monitoring statement on a %s connection; the longest wait of each: %s"
                                    + " (the pool's other waiters, not the monitoring's: %s)",
                            POOL, seen.values(), others.values())
                    .isLessThanOrEqualTo(LOCK_TIMEOUT_MS + SLACK_MS);
            // Once the lock is gone nothing of the pool waits any more, and the skipped size figures are measured
            // again.
            Await.until(
                    () -> waiters(look),
                    List::isEmpty,
                    Duration.ofSeconds(10),
                    "no " + POOL + " connection waiting on a lock after the release");
            Await.until(
                    () -> {
                        var answer = Http.get(base, "/api/v1/database/space");
                        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                        return answer.<JsonObject>json().getJsonObject("staleBecauseOfLock");
                    },
                    JsonObject::isEmpty,
                    Duration.ofSeconds(20),
                    "no size figure stale because of a lock after the release");
        }
    }

    private static int poolConnections(Connection look) throws SQLException {
        try (var statement =
                look.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, POOL);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static List<Waiter> waiters(Connection look) {
        try (var statement = look.prepareStatement(WAITERS)) {
            statement.setString(1, POOL);
            List<Waiter> waiters = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    String query = rows.getString(3);
                    waiters.add(new Waiter(
                            rows.getInt(1), rows.getLong(2), query.substring(0, Math.min(80, query.length()))));
                }
            }
            return waiters;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
