package com.apintake.monitoring.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The container pool as the running server sees it, read from Payara's AMX MBeans: its configured
 * sizes (the domain configuration, so a change made at runtime with asadmin, the admin console or
 * the config MBeans shows at once) and its live statistics (monitoring level HIGH, see
 * server-config/). Nothing here comes from the application's own configuration.
 */
@ApplicationScoped
public class PoolStatistics {

    /** Configured limits of the pool. */
    public record Configuration(
            int steadyPoolSize, int maxPoolSize, long maxWaitMillis, long idleTimeoutSeconds, boolean validation) {}

    /** Live counters. Waits in milliseconds; counts since the pool was created or monitoring was switched on. */
    public record Usage(
            long used,
            long free,
            long highWaterMark,
            long waitQueueLength,
            long averageWaitMillis,
            long maxWaitMillis,
            long acquired,
            long released,
            long created,
            long destroyed,
            long timedOut,
            long potentialLeaks,
            long failedValidations) {}

    @Inject
    @ConfigProperty(name = "apintake.pool.name", defaultValue = "ApIntakePool")
    String poolName;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public String poolName() {
        return poolName;
    }

    public Optional<Configuration> configuration() {
        ObjectName name = objectName("amx:pp=/domain/resources,type=jdbc-connection-pool,name=" + poolName);
        if (!server.isRegistered(name)) {
            return Optional.empty();
        }
        return Optional.of(new Configuration(
                (int) number(name, "SteadyPoolSize"),
                (int) number(name, "MaxPoolSize"),
                number(name, "MaxWaitTimeInMillis"),
                number(name, "IdleTimeoutInSeconds"),
                Boolean.parseBoolean(String.valueOf(attribute(name, "IsConnectionValidationRequired")))));
    }

    /** Empty until the pool has handed out its first connection: Payara registers the MBean lazily. */
    public Optional<Usage> usage() {
        ObjectName name =
                objectName("amx:pp=/mon/server-mon[server],type=jdbc-connection-pool-mon,name=resources/" + poolName);
        if (!server.isRegistered(name)) {
            return Optional.empty();
        }
        return Optional.of(new Usage(
                statistic(name, "numconnused", "current"),
                statistic(name, "numconnfree", "current"),
                statistic(name, "numconnused", "highWaterMark"),
                statistic(name, "waitqueuelength", "count"),
                statistic(name, "averageconnwaittime", "count"),
                statistic(name, "connrequestwaittime", "highWaterMark"),
                statistic(name, "numconnacquired", "count"),
                statistic(name, "numconnreleased", "count"),
                statistic(name, "numconncreated", "count"),
                statistic(name, "numconndestroyed", "count"),
                statistic(name, "numconntimedout", "count"),
                statistic(name, "numpotentialconnleak", "count"),
                statistic(name, "numconnfailedvalidation", "count")));
    }

    private long statistic(ObjectName name, String attribute, String key) {
        Object value = attribute(name, attribute);
        if (value instanceof CompositeData data && data.containsKey(key)) {
            return ((Number) data.get(key)).longValue();
        }
        return 0;
    }

    private long number(ObjectName name, String attribute) {
        Object value = attribute(name, attribute);
        return value == null ? 0 : Long.parseLong(String.valueOf(value).trim());
    }

    /** AMX attribute names differ in case between versions; match them case-insensitively. */
    private Object attribute(ObjectName name, String attribute) {
        try {
            return server.getAttribute(name, attribute);
        } catch (JMException e) {
            try {
                String wanted = attribute.toLowerCase(Locale.ROOT);
                for (var info : server.getMBeanInfo(name).getAttributes()) {
                    if (info.getName().toLowerCase(Locale.ROOT).equals(wanted)) {
                        AttributeList values = server.getAttributes(name, new String[] {info.getName()});
                        return values.isEmpty() ? null : values.asList().get(0).getValue();
                    }
                }
                return null;
            } catch (JMException inner) {
                throw new IllegalStateException("Cannot read " + attribute + " of " + name, inner);
            }
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalArgumentException(name, e);
        }
    }
}
