package com.apintake.monitoring.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The statements Payara's slow-SQL logger reported (pool attribute slow-query-threshold-in-seconds):
 * Payara logs each one on the logger javax.enterprise.resource.sqltrace with the SQL and an exception
 * whose stack trace is the code path to it. A handler on that logger keeps the most recent ones in
 * memory with the first ap-intake frame as the call site. Registered when the application starts and
 * removed when it stops, so no handler of an undeployed application stays on a server logger.
 */
@ApplicationScoped
public class SlowSqlLog {

    public static final String LOGGER = "javax.enterprise.resource.sqltrace";

    /** One slow statement as Payara saw it; callSite is "Class.method(File.java:line)" or null. */
    public record Entry(Instant at, long thresholdMillis, long tookMillis, String sql, String callSite) {}

    // "SQL Query Exceeded Threshold Time: 500(ms): Time Taken: 1503(ms)\nQuery was SELECT ..."
    static final Pattern MESSAGE = Pattern.compile(
            "SQL Query Exceeded Threshold Time: (\\d+)\\(ms\\): Time Taken: (\\d+)\\(ms\\)\\s*Query was (.*)",
            Pattern.DOTALL);

    @Inject
    @ConfigProperty(name = "apintake.monitoring.slow-sql-log-size", defaultValue = "200")
    int capacity;

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            capture(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Logger logger;

    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // touching the bean is enough: @PostConstruct registers the handler
    }

    @PostConstruct
    void register() {
        logger = Logger.getLogger(LOGGER);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    @PreDestroy
    void unregister() {
        if (logger != null) {
            logger.removeHandler(handler);
        }
    }

    public synchronized List<Entry> recent(Instant since, int limit) {
        List<Entry> result = new ArrayList<>();
        var iterator = entries.descendingIterator();
        while (iterator.hasNext() && result.size() < limit) {
            Entry entry = iterator.next();
            if (!entry.at().isBefore(since)) {
                result.add(entry);
            }
        }
        return result;
    }

    void capture(LogRecord record) {
        Entry entry = parse(record);
        if (entry == null) {
            return;
        }
        synchronized (this) {
            entries.addLast(entry);
            while (entries.size() > Math.max(1, capacity)) {
                entries.pollFirst();
            }
        }
    }

    static Entry parse(LogRecord record) {
        String message = record.getMessage();
        if (message == null) {
            return null;
        }
        Matcher matcher = MESSAGE.matcher(message);
        if (!matcher.find()) {
            return null;
        }
        return new Entry(
                record.getInstant(),
                Long.parseLong(matcher.group(1)),
                Long.parseLong(matcher.group(2)),
                matcher.group(3).strip(),
                callSite(record.getThrown()));
    }

    /** The first frame of ap-intake's own code: where the statement came from. */
    static String callSite(Throwable trace) {
        if (trace == null) {
            return null;
        }
        for (StackTraceElement frame : trace.getStackTrace()) {
            if (frame.getClassName().startsWith("com.apintake.")) {
                return frame.getClassName() + "." + frame.getMethodName() + "(" + frame.getFileName() + ":"
                        + frame.getLineNumber() + ")";
            }
        }
        return null;
    }
}
