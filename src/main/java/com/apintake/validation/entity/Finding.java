package com.apintake.validation.entity;

/**
 * The outcome of one rule for one invoice (or one line or VAT breakdown row of it).
 *
 * @param rule the official rule id, e.g. {@code BR-CO-15}, or ours with the {@code AP-} prefix
 * @param passed whether the invoice satisfies the rule; a rule that does not apply counts as passed
 * @param detail for people: the official rule text, the values compared, or why the rule did not apply
 * @param severity {@code fatal} fails the invoice; {@code warning} is kept and shown but fails nothing
 * @param location where in the document the rule failed (an XPath), or null
 * @param source the rule set that holds the rule, e.g. {@code EN16931 1.3.13} or {@code AP}
 */
public record Finding(String rule, boolean passed, String detail, String severity, String location, String source) {

    public static final String FATAL = "fatal";
    public static final String WARNING = "warning";
    /** Says what was done (which rule set ran), never fails anything. */
    public static final String INFORMATION = "information";

    /** One of our own fatal AP rules, judged without a location in the document. */
    public Finding(String rule, boolean passed, String detail) {
        this(rule, passed, detail, FATAL, null, "AP");
    }

    /** Whether this finding fails the invoice: a failed fatal rule; warnings never do. */
    public boolean fails() {
        return !passed && FATAL.equals(severity);
    }

    public static Finding passed(String rule, String detail) {
        return new Finding(rule, true, detail);
    }

    public static Finding failed(String rule, String detail) {
        return new Finding(rule, false, detail);
    }

    public static Finding notApplicable(String rule, String reason) {
        return new Finding(rule, true, "not applicable: " + reason);
    }
}
