package com.apintake.monitoring.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the pool was asked for over the recent window (apintake.pool.observation-seconds): samples of
 * the connections in use, the requests waiting for one and the timeouts (Payara's statistics), and of
 * what PostgreSQL's active sessions were doing at that moment: on a CPU (no wait event) or waiting
 * inside the server (lock, I/O, LWLock, IPC, ...). The pool-size rule (PoolSizeRule) turns this into a
 * recommendation. A sample is taken every apintake.pool.sample-ms by PoolSampling.
 */
@ApplicationScoped
public class PoolDemand {

    private static final Logger LOG = Logger.getLogger(PoolDemand.class.getName());

    /**
     * Active client sessions of the whole server (every database competes for the same cores), this
     * sampler's own excluded. Waiting for the client (ClientRead: the application between statements) or
     * idle activity is not PostgreSQL work, so only the server-side wait types count as waiting.
     */
    static final String ACTIVE_SESSIONS = """
            SELECT count(*) FILTER (WHERE wait_event IS NULL),
                   count(*) FILTER (WHERE wait_event_type IN ('Lock', 'LWLock', 'IO', 'IPC', 'BufferPin', 'Timeout', 'Extension'))
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()""";

    /** One look at the pool; onCpu and waiting are -1 when PostgreSQL was not asked (the pool was full). */
    record Sample(Instant at, int maxPoolSize, long used, long waitQueue, long timedOut, int onCpu, int waiting) {}

    /**
     * The window summed up. peakUtilization = peakUsed / maxPoolSize; timedOut = timeouts within the
     * window; meanOnCpu / meanWaiting over the samples that asked PostgreSQL while at least half the peak was
     * in use (databaseSamples): the busy part of the window.
     */
    public record Observed(
            long seconds,
            int samples,
            int maxPoolSize,
            long peakUsed,
            long peakWaitQueue,
            long timedOut,
            int databaseSamples,
            double meanOnCpu,
            double meanWaiting) {

        public double peakUtilization() {
            return maxPoolSize == 0 ? 0 : (double) peakUsed / maxPoolSize;
        }
    }

    @Inject
    PoolStatistics poolStatistics;

    @Resource(lookup = "jdbc/apintake")
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "apintake.pool.observation-seconds", defaultValue = "300")
    long observationSeconds;

    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile boolean failing;

    /** Takes one sample: the pool's statistics first, so the connection asked for below is not counted. */
    public void sample() {
        var configuration = poolStatistics.configuration();
        var usage = poolStatistics.usage();
        if (configuration.isEmpty() || usage.isEmpty()) {
            return;
        }
        int max = configuration.get().maxPoolSize();
        var live = usage.get();
        int onCpu = -1;
        int waiting = -1;
        // A full pool would make this sample wait for a connection (and count as a wait itself).
        if (live.used() < max) {
            try (Connection connection = dataSource.getConnection();
                    var statement = connection.prepareStatement(ACTIVE_SESSIONS);
                    var rows = statement.executeQuery()) {
                rows.next();
                onCpu = rows.getInt(1);
                waiting = rows.getInt(2);
                failing = false;
            } catch (SQLException e) {
                if (!failing) {
                    LOG.warning("Pool demand: reading pg_stat_activity failed: " + e.getMessage());
                    failing = true;
                }
            }
        }
        remember(new Sample(Instant.now(), max, live.used(), live.waitQueueLength(), live.timedOut(), onCpu, waiting));
    }

    synchronized void remember(Sample sample) {
        Instant start = sample.at().minus(Duration.ofSeconds(observationSeconds));
        // A pool resized at runtime (asadmin set, the console) starts a new observation; so does a pool
        // recreated (its counters went down).
        samples.removeIf(s ->
                s.maxPoolSize() != sample.maxPoolSize() || s.timedOut() > sample.timedOut() || s.at().isBefore(start));
        samples.addLast(sample);
    }

    public Observed observed() {
        List<Sample> window;
        synchronized (this) {
            Instant start = Instant.now().minus(Duration.ofSeconds(observationSeconds));
            window = samples.stream().filter(s -> !s.at().isBefore(start)).toList();
        }
        return summarise(observationSeconds, window);
    }

    static Observed summarise(long seconds, List<Sample> window) {
        if (window.isEmpty()) {
            return new Observed(seconds, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        long peakUsed = window.stream().mapToLong(Sample::used).max().orElse(0);
        // The busy part of the window: the pool is sized for its busy moments, not their average with idle ones.
        long busy = Math.max(1, (peakUsed + 1) / 2);
        var asked =
                window.stream().filter(s -> s.onCpu() >= 0 && s.used() >= busy).toList();
        return new Observed(
                seconds,
                window.size(),
                window.get(window.size() - 1).maxPoolSize(),
                peakUsed,
                window.stream().mapToLong(Sample::waitQueue).max().orElse(0),
                window.get(window.size() - 1).timedOut() - window.get(0).timedOut(),
                asked.size(),
                asked.stream().mapToInt(Sample::onCpu).average().orElse(0),
                asked.stream().mapToInt(Sample::waiting).average().orElse(0));
    }
}
