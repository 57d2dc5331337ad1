package com.apintake.extraction.control;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.EntityResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses uploaded XML into a namespace-aware DOM with every feature that could reach outside the
 * document switched off. Invoices come from strangers: a DOCTYPE is how XXE (reading local files,
 * server-side requests) and entity expansion bombs get in, and no invoice syntax we accept needs
 * one, so any DTD is refused outright rather than parsed with restrictions.
 */
final class SecureXmlParser {

    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    static final String DTD_REFUSED = "DTDs are not accepted: the document contains a DOCTYPE declaration";

    /**
     * Deepest element nesting accepted. A UBL or CII invoice nests about 10 deep; a document nested
     * thousands deep is an attack on recursive code (stack exhaustion), not an invoice.
     */
    static final int MAX_ELEMENT_DEPTH = 1000;

    static final String TOO_DEEP =
            "XML is nested deeper than " + MAX_ELEMENT_DEPTH + " elements, the limit for an invoice";

    private static final String MAX_DEPTH_PROPERTY = "http://www.oracle.com/xml/jaxp/properties/maxElementDepth";

    private final DocumentBuilderFactory factory;

    /**
     * Builders between documents. A fresh builder pays Xerces' whole set-up on its first document, about
     * 40 % of parsing the harness's invoice (docs/sync-cpu.md); each serves one document at a time.
     */
    private final BlockingQueue<DocumentBuilder> idleBuilders = new ArrayBlockingQueue<>(32);

    private static final EntityResolver REFUSE_ENTITIES = (publicId, systemId) -> {
        throw new SAXException("external entities are not accepted");
    };

    SecureXmlParser() {
        try {
            factory = DocumentBuilderFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setValidating(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature(DISALLOW_DOCTYPE, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setAttribute(MAX_DEPTH_PROPERTY, Integer.toString(MAX_ELEMENT_DEPTH));
            factory.setExpandEntityReferences(false);
        } catch (ParserConfigurationException e) {
            // Running without these protections is not an option; fail loudly at startup.
            throw new IllegalStateException("XML parser cannot be secured: " + e.getMessage(), e);
        }
    }

    /** Parses the bytes; unparsable, too deeply nested or DTD-carrying input becomes a {@link MalformedDocumentException}. */
    Document parse(byte[] xml) {
        if (hasDoctype(xml)) {
            throw new MalformedDocumentException(DTD_REFUSED);
        }
        try {
            DocumentBuilder builder = idleBuilders.poll();
            if (builder == null) {
                // DocumentBuilderFactory is not guaranteed thread-safe; the instance here is only configured once.
                synchronized (factory) {
                    builder = factory.newDocumentBuilder();
                }
            }
            builder.setErrorHandler(SILENT);
            builder.setEntityResolver(REFUSE_ENTITIES);
            Document document = builder.parse(new ByteArrayInputStream(xml));
            // Only a builder whose parse ended normally is reused; the parser resets itself per document.
            idleBuilders.offer(builder);
            return document;
        } catch (SAXParseException e) {
            if (String.valueOf(e.getMessage()).contains("DOCTYPE")) {
                throw new MalformedDocumentException(DTD_REFUSED);
            }
            if (String.valueOf(e.getMessage()).contains("JAXP00010006")) {
                throw new MalformedDocumentException(TOO_DEEP);
            }
            throw new MalformedDocumentException("XML is not well-formed at line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + oneLine(e.getMessage()));
        } catch (UnsupportedEncodingException e) {
            throw new MalformedDocumentException("XML declares an unsupported encoding: " + oneLine(e.getMessage()));
        } catch (SAXException | IOException e) {
            throw new MalformedDocumentException("XML could not be read: " + oneLine(e.getMessage()));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /*
     * The parser refuses a DOCTYPE anyway; looking for it first gives the uploader a clear message that
     * does not depend on the wording of the JDK's parser. Only the prolog can hold one, and a DOCTYPE
     * written in UTF-16 is left to the parser's own refusal.
     */
    private static boolean hasDoctype(byte[] xml) {
        int limit = Math.min(xml.length, 4096);
        String head = new String(xml, 0, limit, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        int doctype = head.indexOf("<!DOCTYPE");
        if (doctype < 0) {
            return false;
        }
        int firstElement = firstElementStart(head);
        return firstElement < 0 || doctype < firstElement;
    }

    private static int firstElementStart(String head) {
        for (int i = head.indexOf('<'); i >= 0 && i + 1 < head.length(); i = head.indexOf('<', i + 1)) {
            char next = head.charAt(i + 1);
            if (next != '?' && next != '!') {
                return i;
            }
        }
        return -1;
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown reason";
        }
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException exception) {}

        @Override
        public void error(SAXParseException exception) throws SAXException {
            throw exception;
        }

        @Override
        public void fatalError(SAXParseException exception) throws SAXException {
            throw exception;
        }
    };
}
