package com.apintake.monitoring;

import com.apintake.testsupport.TestEnvironment;
import java.io.IOException;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Changes the pool's configuration in the running test server through Payara's AMX config MBean,
 * over the loopback JMX connector of the test server: on Payara Micro the equivalent of an operator's
 * {@code asadmin set resources.jdbc-connection-pool.ApIntakePool.max-pool-size=N}.
 */
public final class PayaraJmx implements AutoCloseable {

    public static final String POOL_CONFIG = "amx:pp=/domain/resources,type=jdbc-connection-pool,name=ApIntakePool";

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    public PayaraJmx() throws IOException {
        this(TestEnvironment.jmxPort());
    }

    /** The loopback JMX connector on another port (the benchmark harness's Payara). */
    public PayaraJmx(int port) throws IOException {
        var url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        connector = JMXConnectorFactory.connect(url);
        server = connector.getMBeanServerConnection();
    }

    public void setPool(String attribute, Object value) throws IOException, JMException {
        server.setAttribute(new ObjectName(POOL_CONFIG), new Attribute(attribute, value));
    }

    public Object pool(String attribute) throws IOException, JMException {
        return server.getAttribute(new ObjectName(POOL_CONFIG), attribute);
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
