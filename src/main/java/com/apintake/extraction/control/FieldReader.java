package com.apintake.extraction.control;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads values out of one parsed invoice and keeps score of them: a value present and well-formed
 * scores 1.0; a mandatory value that is missing, or any value present but unreadable, scores 0.0
 * and comes back as null; an optional value that is absent is not scored. One instance per document.
 *
 * <p>Values are addressed with a small subset of XPath — child steps {@code prefix:name}, a
 * predicate {@code [@attr='v']} or {@code [child/path='v']}, and {@code a | b} — walked directly on
 * the DOM. The JDK's XPath engine rebuilds a tree model of the whole document on every evaluation,
 * which made one invoice cost tens of milliseconds; these paths cost microseconds.
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

    // Keyed by expression: UBL and CII use disjoint prefixes, so an expression means one thing.
    private static final Map<String, Path> PATHS = new ConcurrentHashMap<>();
    private final Map<String, String> namespaces;
    private final Map<String, Double> confidence = new LinkedHashMap<>();
    private final Set<String> groupsSeen = new LinkedHashSet<>();
    private final Set<String> groupsMalformed = new LinkedHashSet<>();

    FieldReader(Map<String, String> namespaces) {
        this.namespaces = namespaces;
    }

    // ---- navigation, not scored

    Node node(Node context, String expression) {
        List<Node> found = nodes(context, expression);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The matches in document order. */
    List<Node> nodes(Node context, String expression) {
        Path path = PATHS.get(expression);
        if (path == null) {
            path = Path.parse(expression, namespaces);
            // Paths carrying a document's value (its currency) vary; keep the cache bounded.
            if (PATHS.size() < 500) {
                PATHS.put(expression, path);
            }
        }
        return path.select(context);
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

    /**
     * A parsed path: alternatives of child steps, each step an element name with an optional
     * predicate {@code [path='v']}, {@code [@a='v']}, {@code [path/@a='v']} or {@code [path]}.
     */
    private record Path(List<List<Step>> alternatives) {

        private static final Pattern STEP = Pattern.compile(
                "(\\w+):([\\w.-]+)(?:\\[(?:(?:([\\w:./-]+?)/)?(?:@([\\w:-]+)|([\\w:.-]+))='([^']*)'|([\\w:./-]+))\\])?");

        static Path parse(String expression, Map<String, String> namespaces) {
            List<List<Step>> alternatives = new ArrayList<>();
            for (String alternative : expression.split("\\|")) {
                List<Step> steps = new ArrayList<>();
                // Split on '/' outside predicates.
                int depth = 0;
                int start = 0;
                String text = alternative.strip();
                for (int i = 0; i <= text.length(); i++) {
                    char c = i < text.length() ? text.charAt(i) : '/';
                    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                    if (c == '/' && depth == 0) {
                        steps.add(Step.parse(text.substring(start, i), namespaces, expression));
                        start = i + 1;
                    }
                }
                alternatives.add(steps);
            }
            return new Path(alternatives);
        }

        List<Node> select(Node context) {
            List<Node> result = new ArrayList<>();
            for (List<Step> steps : alternatives) {
                List<Node> current = List.of(context);
                for (Step step : steps) {
                    List<Node> next = new ArrayList<>();
                    for (Node node : current) {
                        step.children(node, next);
                    }
                    current = next;
                }
                result.addAll(current);
            }
            if (alternatives.size() > 1) {
                result.sort((a, b) ->
                        a == b ? 0 : (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) != 0 ? -1 : 1);
            }
            return result;
        }
    }

    /**
     * One child step. With a predicate, the element is kept when a node at condition (the element
     * itself when null) has attribute (or, without attribute, text) equal to value; without a value,
     * when condition finds anything at all.
     */
    private record Step(String namespace, String localName, Path condition, String attribute, String value) {

        static Step parse(String text, Map<String, String> namespaces, String expression) {
            Matcher matcher = Path.STEP.matcher(text.strip());
            if (!matcher.matches() || !namespaces.containsKey(matcher.group(1))) {
                // The paths are ours, not the uploader's: this is a programming error.
                throw new IllegalStateException("Unsupported path step '" + text + "' in " + expression);
            }
            String conditionPath = matcher.group(3);
            String attribute = matcher.group(4);
            String lastStep = matcher.group(5);
            if (lastStep != null) {
                conditionPath = conditionPath == null ? lastStep : conditionPath + "/" + lastStep;
            }
            String mustExist = matcher.group(7);
            if (mustExist != null) {
                return new Step(
                        namespaces.get(matcher.group(1)),
                        matcher.group(2),
                        Path.parse(mustExist, namespaces),
                        null,
                        null);
            }
            Path condition = conditionPath == null ? null : Path.parse(conditionPath, namespaces);
            return new Step(namespaces.get(matcher.group(1)), matcher.group(2), condition, attribute, matcher.group(6));
        }

        void children(Node parent, List<Node> into) {
            for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child.getNodeType() == Node.ELEMENT_NODE
                        && localName.equals(child.getLocalName())
                        && namespace.equals(child.getNamespaceURI())
                        && accepts((Element) child)) {
                    into.add(child);
                }
            }
        }

        private boolean accepts(Element element) {
            if (value == null) {
                return condition == null || !condition.select(element).isEmpty();
            }
            List<Node> candidates = condition == null ? List.of(element) : condition.select(element);
            for (Node candidate : candidates) {
                String actual = attribute == null
                        ? candidate.getTextContent()
                        : ((Element) candidate).hasAttribute(attribute)
                                ? ((Element) candidate).getAttribute(attribute)
                                : null;
                if (value.equals(actual)) {
                    return true;
                }
            }
            return false;
        }
    }
}
