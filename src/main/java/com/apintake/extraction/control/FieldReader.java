package com.apintake.extraction.control;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.namespace.QName;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import javax.xml.xpath.XPathFactoryConfigurationException;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reads values out of one parsed invoice with XPath and keeps score of them: a value present and
 * well-formed scores 1.0; a mandatory value that is missing, or any value present but unreadable,
 * scores 0.0 and comes back as null; an optional value that is absent is not scored. One instance
 * per document (XPath objects are not thread-safe).
 *
 * <p>Values inside repeated groups (lines, VAT breakdown, allowances and charges) are scored per
 * group: the group scores 0.0 as soon as one of its values is unreadable.
 */
final class FieldReader {

    /** Whether EN 16931 requires the field, which decides what its absence scores. */
    enum Presence {
        MANDATORY,
        OPTIONAL
    }

    // xsd:decimal as the syntaxes write amounts: no exponent, no thousands separator, dot as decimal mark.
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");
    // xsd:date, optionally with a time zone, which UBL allows and which says nothing about the day.
    private static final Pattern ISO_DATE = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(Z|[+-]\\d{2}:\\d{2})?");
    private static final DateTimeFormatter CII_102 =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);

    private final XPath xpath;
    private final Map<String, XPathExpression> compiled = new HashMap<>();
    private final Map<String, Double> confidence = new LinkedHashMap<>();
    private final Set<String> groupsSeen = new LinkedHashSet<>();
    private final Set<String> groupsMalformed = new LinkedHashSet<>();

    FieldReader(Map<String, String> namespaces) {
        XPathFactory factory = XPathFactory.newDefaultInstance();
        try {
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (XPathFactoryConfigurationException e) {
            throw new IllegalStateException(e);
        }
        xpath = factory.newXPath();
        xpath.setNamespaceContext(new Prefixes(namespaces));
    }

    // ---- navigation, not scored

    Node node(Node context, String expression) {
        return (Node) evaluate(context, expression, XPathConstants.NODE);
    }

    List<Node> nodes(Node context, String expression) {
        NodeList list = (NodeList) evaluate(context, expression, XPathConstants.NODESET);
        List<Node> nodes = new ArrayList<>(list.getLength());
        for (int i = 0; i < list.getLength(); i++) {
            nodes.add(list.item(i));
        }
        return nodes;
    }

    /** Trimmed text of the first match; null when there is no match or it is blank. */
    String raw(Node context, String expression) {
        Node node = context == null ? null : node(context, expression);
        return node == null ? null : blankToNull(node.getTextContent());
    }

    List<String> raws(Node context, String expression) {
        List<String> values = new ArrayList<>();
        if (context != null) {
            for (Node node : nodes(context, expression)) {
                String value = blankToNull(node.getTextContent());
                if (value != null) {
                    values.add(value);
                }
            }
        }
        return values;
    }

    // ---- top-level fields, scored under their own name

    String text(String field, Node context, String expression, Presence presence) {
        return scored(field, presence, raw(context, expression), value -> value);
    }

    BigDecimal decimal(String field, Node context, String expression, Presence presence) {
        return scored(field, presence, raw(context, expression), FieldReader::parseDecimal);
    }

    LocalDate isoDate(String field, Node context, String expression, Presence presence) {
        return scored(field, presence, raw(context, expression), FieldReader::parseIsoDate);
    }

    /** A CII udt:DateTimeString: format 102 (yyyyMMdd) is the only one EN 16931 allows for dates. */
    LocalDate ciiDate(String field, Node context, String expression, Presence presence) {
        Node dateTime = context == null ? null : node(context, expression);
        String value = dateTime == null ? null : blankToNull(dateTime.getTextContent());
        String format = dateTime == null ? null : blankToNull(attribute(dateTime, "format"));
        return scored(field, presence, value, text -> format == null || "102".equals(format) ? parse102(text) : null);
    }

    /** Scores a list field: 1.0 when it has entries, absent (not scored) when empty. */
    void scoreList(String field, List<?> values) {
        if (!values.isEmpty()) {
            confidence.put(field, 1.0);
        }
    }

    /** Scores a field whose value was decided elsewhere (e.g. taken from one of two places). */
    void score(String field, double value) {
        confidence.put(field, value);
    }

    // ---- values inside a repeated group, scored per group

    String text(String group, Node context, String expression) {
        groupsSeen.add(group);
        return raw(context, expression);
    }

    BigDecimal decimal(String group, Node context, String expression) {
        groupsSeen.add(group);
        String value = raw(context, expression);
        if (value == null) {
            return null;
        }
        BigDecimal parsed = parseDecimal(value);
        if (parsed == null) {
            groupsMalformed.add(group);
        }
        return parsed;
    }

    /** An xsd:boolean; null (and the group marked unreadable) when present but not a boolean. */
    Boolean indicator(String group, Node context, String expression) {
        groupsSeen.add(group);
        String value = raw(context, expression);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> {
                groupsMalformed.add(group);
                yield null;
            }
        };
    }

    void markMalformed(String group) {
        groupsSeen.add(group);
        groupsMalformed.add(group);
    }

    /** Per-field scores plus {@code overall}, their mean (0 when nothing was scored). */
    Map<String, Double> confidence() {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("overall", 0.0);
        scores.putAll(confidence);
        for (String group : groupsSeen) {
            scores.put(group, groupsMalformed.contains(group) ? 0.0 : 1.0);
        }
        double overall = scores.entrySet().stream()
                .filter(e -> !"overall".equals(e.getKey()))
                .mapToDouble(Map.Entry::getValue)
                .average()
                .orElse(0.0);
        scores.put("overall", overall);
        return scores;
    }

    static String attribute(Node node, String name) {
        Node attribute =
                node.getAttributes() == null ? null : node.getAttributes().getNamedItem(name);
        return attribute == null ? null : attribute.getNodeValue();
    }

    static BigDecimal parseDecimal(String value) {
        return DECIMAL.matcher(value).matches() ? new BigDecimal(value) : null;
    }

    private <T> T scored(String field, Presence presence, String value, Function<String, T> parser) {
        if (value == null) {
            if (presence == Presence.MANDATORY) {
                confidence.put(field, 0.0);
            }
            return null;
        }
        T parsed = parser.apply(value);
        confidence.put(field, parsed == null ? 0.0 : 1.0);
        return parsed;
    }

    private static LocalDate parseIsoDate(String value) {
        Matcher matcher = ISO_DATE.matcher(value);
        if (!matcher.matches()) {
            return null;
        }
        try {
            return LocalDate.parse(matcher.group(1));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static LocalDate parse102(String value) {
        try {
            return LocalDate.parse(value, CII_102);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private Object evaluate(Node context, String expression, QName type) {
        try {
            XPathExpression compiledExpression = compiled.get(expression);
            if (compiledExpression == null) {
                compiledExpression = xpath.compile(expression);
                compiled.put(expression, compiledExpression);
            }
            return compiledExpression.evaluate(context, type);
        } catch (XPathExpressionException e) {
            // The expressions are ours, not the uploader's: a failure here is a programming error.
            throw new IllegalStateException("XPath " + expression + ": " + e.getMessage(), e);
        }
    }

    private record Prefixes(Map<String, String> namespaces) implements NamespaceContext {
        @Override
        public String getNamespaceURI(String prefix) {
            return namespaces.getOrDefault(prefix, XMLConstants.NULL_NS_URI);
        }

        @Override
        public String getPrefix(String namespaceUri) {
            return namespaces.entrySet().stream()
                    .filter(e -> e.getValue().equals(namespaceUri))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
        }

        @Override
        public Iterator<String> getPrefixes(String namespaceUri) {
            String prefix = getPrefix(namespaceUri);
            return prefix == null
                    ? Collections.<String>emptyIterator()
                    : List.of(prefix).iterator();
        }
    }
}
