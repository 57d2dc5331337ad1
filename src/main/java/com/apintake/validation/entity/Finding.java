package com.apintake.validation.entity;

/**
 * The outcome of one EN 16931 rule for one invoice (or one line or VAT breakdown row of it).
 *
 * @param rule the official rule id, e.g. {@code BR-CO-15}
 * @param passed whether the invoice satisfies the rule; a rule that does not apply counts as passed
 * @param detail for people: the values compared, or why the rule did not apply
 */
public record Finding(String rule, boolean passed, String detail) {

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
