package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.List;
import javax.xml.transform.stream.StreamSource;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.XdmDestination;
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

    /**
     * The artefacts write an empty {@code svrl:fired-rule} element for every rule context they visit (110
     * for the harness's three-line invoice), each with the stylesheet's namespaces, while only failed
     * asserts and successful reports are read. This filter drops those elements from the compiled
     * stylesheet and nothing else: the asserts, their tests, ids, flags, locations and texts are the
     * published ones (SvrlTest compares every finding with the unfiltered artefact). It saved about 6 %
     * of a transform's CPU and 15 % of its allocation (docs/sync-cpu.md).
     */
    static final String WITHOUT_FIRED_RULES = """
            <xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                            xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
              <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
              <xsl:template match="svrl:fired-rule"/>
            </xsl:stylesheet>""";

    static RuleSet compile(Processor processor, String source, String resource) {
        long start = System.nanoTime();
        URL url = url(source, resource);
        try (InputStream in = url.openStream()) {
            XdmNode published = processor.newDocumentBuilder().build(new StreamSource(in, url.toString()));
            XsltTransformer filter = processor
                    .newXsltCompiler()
                    .compile(new StreamSource(new StringReader(WITHOUT_FIRED_RULES)))
                    .load();
            XdmDestination filtered = new XdmDestination();
            filtered.setBaseURI(url.toURI());
            filter.setInitialContextNode(published);
            filter.setDestination(filtered);
            filter.transform();
            XsltExecutable executable =
                    processor.newXsltCompiler().compile(filtered.getXdmNode().asSource());
            return new RuleSet(source, resource, executable, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | SaxonApiException | URISyntaxException e) {
            throw new IllegalStateException(
                    "Rule set " + source + " (" + resource + ") does not compile: " + e.getMessage(), e);
        }
    }

    /** The artefact exactly as published, without the filter: the reference of SvrlTest. */
    static XsltExecutable published(Processor processor, String source, String resource) {
        URL url = url(source, resource);
        try (InputStream in = url.openStream()) {
            return processor.newXsltCompiler().compile(new StreamSource(in, url.toString()));
        } catch (IOException | SaxonApiException e) {
            throw new IllegalStateException(
                    "Rule set " + source + " (" + resource + ") does not compile: " + e.getMessage(), e);
        }
    }

    private static URL url(String source, String resource) {
        URL url = RuleSet.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("Rule set " + source + " is not on the classpath: " + resource);
        }
        return url;
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
