package com.apintake.testsupport;

import fish.payara.arquillian.container.payara.managed.PayaraMicroDeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeploymentException;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.arquillian.core.spi.LoadableExtension;
import org.jboss.shrinkwrap.api.Archive;

/**
 * The Payara Micro Arquillian container boots a new server for every deployment, that is for every
 * test class. This one boots it for the first class and hands the same running server to every
 * other class deploying the same archive; {@link TestEnvironment} stops it when the run ends.
 */
public class SharedPayaraMicro extends PayaraMicroDeployableContainer {

    private static SharedPayaraMicro running;
    private static Archive<?> deployed;
    private static ProtocolMetaData metaData;

    @Override
    public ProtocolMetaData deploy(Archive<?> archive) throws DeploymentException {
        synchronized (SharedPayaraMicro.class) {
            if (running != null) {
                if (!deployed.getName().equals(archive.getName())) {
                    throw new DeploymentException(
                            "Only one application is shared across test classes, not " + archive.getName());
                }
                return metaData;
            }
            metaData = super.deploy(archive);
            if (metaData == null) {
                throw new DeploymentException("Payara Micro did not start: see the log above");
            }
            running = this;
            deployed = archive;
            return metaData;
        }
    }

    @Override
    public void undeploy(Archive<?> archive) {
        // Kept running for the next test class; stopped by stopServer() at the end of the run.
    }

    static void stopServer() {
        synchronized (SharedPayaraMicro.class) {
            if (running != null) {
                try {
                    running.superUndeploy(deployed);
                } catch (DeploymentException e) {
                    throw new IllegalStateException(e);
                } finally {
                    running = null;
                }
            }
        }
    }

    private void superUndeploy(Archive<?> archive) throws DeploymentException {
        super.undeploy(archive);
    }

    /** Registered in META-INF/services: replaces the stock container with the shared one. */
    public static class Extension implements LoadableExtension {
        @Override
        public void register(ExtensionBuilder builder) {
            builder.override(DeployableContainer.class, PayaraMicroDeployableContainer.class, SharedPayaraMicro.class);
        }
    }
}
