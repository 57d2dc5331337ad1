package com.apintake.testsupport;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR the build produced, exactly as it ships: the integration tests test the real artifact. */
public final class Deployments {

    private Deployments() {}

    public static WebArchive application() {
        File war = new File(System.getProperty("apintake.war"));
        return ShrinkWrap.create(ZipImporter.class, "ap-intake.war")
                .importFrom(war)
                .as(WebArchive.class);
    }
}
