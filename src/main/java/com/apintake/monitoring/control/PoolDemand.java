package com.apintake.monitoring.control;

import com.apintake.platform.control.RequestsInFlight;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
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
            SELECT count(*) FILTER (WHERE state = 'active' AND wait_event IS NULL),
                   count(*) FILTER (WHERE state = 'active'
                                    AND wait_event_type IN ('Lock', 'LWLock', 'IO', 'IPC', 'BufferPin', 'Timeout', 'Extension')),
                   count(*) FILTER (WHERE state = 'active' AND application_name = current_setting('application_name')),
                   count(*) FILTER (WHERE state LIKE 'idle in transaction%'
                                    AND application_name = current_setting('application_name'))
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()""";

    /**
     * One look at the pool; onCpu and waiting are -1 when PostgreSQL was not asked (the pool was full).
     * checkouts: the pool's connections handed out so far (the sampler's own excluded); cpuNanos: this
     * JVM's CPU time so far; cpuBusy: the whole server's CPU busy share (0..1) since the previous sample,
     * -1 when the platform does not say; runnable: the server's threads running or waiting for a core at
     * that moment (Linux /proc/loadavg, the sampler itself not counted), -1 elsewhere; inFlight: API requests
     * in the server (admission slots taken, -1 when admission is off); jvmRunnable / requestRunnable: this
     * JVM's runnable threads and the HTTP workers among them (/proc/self/task, -1 elsewhere); poolActive /
     * poolIdleInTransaction: this pool's PostgreSQL sessions executing / idle inside a transaction (-1 when not
     * asked).
     */
    record Sample(
            Instant at,
            int maxPoolSize,
            long used,
            long waitQueue,
            long timedOut,
            int onCpu,
            int waiting,
            long checkouts,
            long cpuNanos,
            double cpuBusy,
            int runnable,
            int inFlight,
            int jvmRunnable,
            int requestRunnable,
            int poolActive,
            int poolIdleInTransaction) {}

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
            double meanWaiting,
            Flow flow) {

        public Observed(
                long seconds,
                int samples,
                int maxPoolSize,
                long peakUsed,
                long peakWaitQueue,
                long timedOut,
                int databaseSamples,
                double meanOnCpu,
                double meanWaiting) {
            this(
                    seconds,
                    samples,
                    maxPoolSize,
                    peakUsed,
                    peakWaitQueue,
                    timedOut,
                    databaseSamples,
                    meanOnCpu,
                    meanWaiting,
                    Flow.NONE);
        }

        public double peakUtilization() {
            return maxPoolSize == 0 ? 0 : (double) peakUsed / maxPoolSize;
        }
    }

    /**
     * The window as a flow, for Little's law: checkouts per second, the mean connections in use and the
     * mean requests waiting for one (over every sample), hence the mean hold time per checkout
     * (meanUsed / checkoutsPerSecond); the share of samples in which a request waited; the server's CPU
     * busy share (0..1, -1 unknown), the cores this JVM kept busy (its CPU seconds per second) and the
     * server's mean runnable threads (-1 unknown); the means of the requests in flight, this JVM's runnable
     * threads and request threads, and this pool's PostgreSQL sessions active / idle in transaction (each -1
     * unknown).
     */
    public record Flow(
            double spanSeconds,
            double checkoutsPerSecond,
            double meanUsed,
            double meanWaitQueue,
            double waitingShare,
            double cpuBusy,
            double jvmCores,
            int cores,
            double meanRunnable,
            double meanInFlight,
            double meanJvmRunnable,
            double meanRequestRunnable,
            double meanPoolActive,
            double meanPoolIdleInTransaction) {

        /** No window: no checkouts, every figure the sampler may fail to read unknown (-1). */
        static final Flow NONE = new Flow(0, 0, 0, 0, 0, -1, 0, 0, -1, -1, -1, -1, -1, -1);

        /**
         * How much longer than alone on a core a runnable thread takes: the threads that want a core per core,
         * at least 1 (1 when unknown). A hold measured on a saturated server is stretched by it.
         */
        public double cpuStretch() {
            return meanRunnable < 0 || cores <= 0 ? 1 : Math.max(1, meanRunnable / cores);
        }

        /** Mean hold time per checkout in milliseconds (Little's law), 0 without checkouts. */
        public double holdMillis() {
            return checkoutsPerSecond <= 0 ? 0 : meanUsed / checkoutsPerSecond * 1000;
        }
    }

    @Inject
    PoolStatistics poolStatistics;

    @Inject
    MonitoringConnections dataSource;

    @Inject
    RequestsInFlight inFlight;

    @Inject
    @ConfigProperty(name = "apintake.pool.observation-seconds", defaultValue = "300")
    long observationSeconds;

    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile boolean failing;
    /** Checkouts this sampler made itself: not the application's demand. */
    private final AtomicLong ownCheckouts = new AtomicLong();

    private final OperatingSystemMXBean system = ManagementFactory.getOperatingSystemMXBean();

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
        int poolActive = -1;
        int poolIdleInTransaction = -1;
        int requests = inFlight.now();
        int[] threads = runnableThreads();
        // A full pool would make this sample wait for a connection (and count as a wait itself).
        long checkouts = live.acquired() - ownCheckouts.get();
        long cpuNanos = cpuNanos();
        double cpuBusy = cpuBusy();
        if (live.used() < max) {
            ownCheckouts.incrementAndGet();
            try (Connection connection = dataSource.getConnection();
                    var statement = connection.prepareStatement(ACTIVE_SESSIONS);
                    var rows = statement.executeQuery()) {
                rows.next();
                onCpu = rows.getInt(1);
                waiting = rows.getInt(2);
                poolActive = rows.getInt(3);
                poolIdleInTransaction = rows.getInt(4);
                failing = false;
            } catch (SQLException e) {
                if (!failing) {
                    LOG.warning("Pool demand: reading pg_stat_activity failed: " + e.getMessage());
                    failing = true;
                }
            }
        }
        remember(new Sample(
                Instant.now(),
                max,
                live.used(),
                live.waitQueueLength(),
                live.timedOut(),
                onCpu,
                waiting,
                checkouts,
                cpuNanos,
                cpuBusy,
                runnable(),
                requests,
                threads[0],
                threads[1],
                poolActive,
                poolIdleInTransaction));
    }

    private static final Path OWN_TASKS = Path.of("/proc/self/task");

    /** Linux's name of the HTTP worker threads ("http-thread-pool::http-listener(N)" cut to 15 characters). */
    static final String REQUEST_THREAD = "http-thread-poo";

    /**
     * This JVM's threads running or waiting for a core now (state R in /proc/self/task/N/stat), the sampler's
     * own not counted, and those of them that are HTTP workers (the request threads; the others are the
     * garbage collector, the JIT, timers, I/O selectors); {-1, -1} where there is no such folder (not Linux).
     */
    static int[] runnableThreads() {
        if (!Files.isDirectory(OWN_TASKS)) {
            return new int[] {-1, -1};
        }
        int running = 0;
        int requests = 0;
        try (var tasks = Files.newDirectoryStream(OWN_TASKS)) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    if (taskState(stat) == 'R') {
                        running++;
                        if (stat.contains("(" + REQUEST_THREAD)) {
                            requests++;
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return new int[] {-1, -1};
        }
        return new int[] {Math.max(0, running - 1), requests};
    }

    /** The state letter of a /proc/.../stat line: the field after the command name in parentheses. */
    static char taskState(String stat) {
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
    }

    private static final Path LOADAVG = Path.of("/proc/loadavg");

    /**
     * Threads running or waiting for a core now, from the fourth field of /proc/loadavg ("running/total"),
     * this sampler's own thread not counted; -1 where there is no such file (not Linux).
     */
    static int runnable() {
        try {
            return runnable(Files.readString(LOADAVG));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static int runnable(String loadavg) {
        String[] fields = loadavg.trim().split("\\s+");
        if (fields.length < 4 || !fields[3].contains("/")) {
            return -1;
        }
        return Math.max(0, Integer.parseInt(fields[3].substring(0, fields[3].indexOf('/'))) - 1);
    }

    private long cpuNanos() {
        return system instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    /** The whole server's CPU busy share since the previous call (the JDK keeps the previous counters). */
    private double cpuBusy() {
        return system instanceof com.sun.management.OperatingSystemMXBean os ? os.getCpuLoad() : -1;
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

    /** The mean over the samples that could read the value (>= 0), -1 when none could. */
    private static double meanKnown(List<Sample> window, java.util.function.ToIntFunction<Sample> value) {
        return window.stream().mapToInt(value).filter(v -> v >= 0).average().orElse(-1);
    }

    static Observed summarise(long seconds, List<Sample> window) {
        if (window.isEmpty()) {
            return new Observed(seconds, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        long peakUsed = window.stream().mapToLong(Sample::used).max().orElse(0);
        Sample first = window.get(0);
        Sample last = window.get(window.size() - 1);
        double span = Duration.between(first.at(), last.at()).toNanos() / 1e9;
        // Counters restart when monitoring is switched on again: no flow from a window whose counts went down.
        double rate =
                span > 0 && last.checkouts() >= first.checkouts() ? (last.checkouts() - first.checkouts()) / span : 0;
        double jvmCores =
                span > 0 && last.cpuNanos() >= first.cpuNanos() ? (last.cpuNanos() - first.cpuNanos()) / 1e9 / span : 0;
        // The first sample's busy share covers the time before the window.
        var cpu = window.stream()
                .skip(1)
                .mapToDouble(Sample::cpuBusy)
                .filter(b -> b >= 0)
                .toArray();
        var flow = new Flow(
                span,
                rate,
                window.stream().mapToLong(Sample::used).average().orElse(0),
                window.stream().mapToLong(Sample::waitQueue).average().orElse(0),
                window.stream().filter(s -> s.waitQueue() > 0).count() / (double) window.size(),
                cpu.length == 0 ? -1 : java.util.Arrays.stream(cpu).average().orElse(-1),
                jvmCores,
                Runtime.getRuntime().availableProcessors(),
                window.stream()
                        .mapToInt(Sample::runnable)
                        .filter(r -> r >= 0)
                        .average()
                        .orElse(-1),
                meanKnown(window, Sample::inFlight),
                meanKnown(window, Sample::jvmRunnable),
                meanKnown(window, Sample::requestRunnable),
                meanKnown(window, Sample::poolActive),
                meanKnown(window, Sample::poolIdleInTransaction));
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
                asked.stream().mapToInt(Sample::waiting).average().orElse(0),
                flow);
    }
}
