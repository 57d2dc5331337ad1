package com.apintake.security.boundary;

import com.apintake.security.control.ConsoleSessions;
import com.apintake.security.control.CredentialCheck;
import jakarta.inject.Inject;
import jakarta.security.auth.message.config.AuthConfigFactory;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.logging.Logger;

/**
 * Installs {@link BasicAuthentication} as this web module's Jakarta Authentication module when the
 * module starts (Jakarta Authentication 3.0's registerServerAuthModule, the call Soteria makes for its
 * bridge), handing it the two controls it needs once, and removes it when the module stops. The
 * application declares no HttpAuthenticationMechanism bean, so Soteria installs no bridge of its own.
 */
@WebListener
public class AuthenticationRegistration implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(AuthenticationRegistration.class.getName());

    @Inject
    CredentialCheck credentials;

    @Inject
    ConsoleSessions consoleSessions;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        String id = AuthConfigFactory.getFactory()
                .registerServerAuthModule(new BasicAuthentication(credentials, consoleSessions), context);
        LOG.info("Authentication module " + BasicAuthentication.class.getSimpleName() + " registered for '"
                + context.getContextPath() + "' (" + id + ")");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        AuthConfigFactory.getFactory().removeServerAuthModule(event.getServletContext());
    }
}
