package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import javax.xml.transform.stream.StreamSource;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;

/**
 * One published Schematron rule set, compiled to XSLT by its publisher and compiled once more here
 * into a Saxon executable. The executable is immutable and thread-safe; every document gets its own
 * transformer, which is cheap.
 *
 * @param source what the findings name as their origin, e.g. {@code EN16931 1.3.15}
 * @param resource the classpath resource of the XSLT
 * @param compileMillis how long compiling took, for the start-up log and the benchmark
 */
record RuleSet(String source, String resource, XsltExecutable executable, long compileMillis) {

    static RuleSet compile(Processor processor, String source, String resource) {
        long start = System.nanoTime();
        URL url = RuleSet.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("Rule set " + source + " is not on the classpath: " + resource);
        }
        try (InputStream in = url.openStream()) {
            XsltExecutable executable = processor.newXsltCompiler().compile(new StreamSource(in, url.toString()));
            return new RuleSet(source, resource, executable, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | SaxonApiException e) {
            throw new IllegalStateException(
                    "Rule set " + source + " (" + resource + ") does not compile: " + e.getMessage(), e);
        }
    }

    /** The failed rules of {@code document}; empty when it satisfies every rule of the set. */
    List<Finding> apply(XdmNode document) throws SaxonApiException {
        XsltTransformer transformer = executable.load();
        Svrl report = new Svrl(source);
        transformer.setInitialContextNode(document);
        transformer.setDestination(report);
        transformer.transform();
        return report.failures();
    }
}
