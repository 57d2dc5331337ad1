package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How the rules compare amounts: at two decimals, rounded half up, as the EN 16931 Schematron does.
 * Documents may write more decimals (or fewer); what has to agree is the cent.
 */
final class Money {

    private Money() {}

    static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }

    static BigDecimal orZero(BigDecimal amount) {
        return amount == null ? BigDecimal.ZERO : amount;
    }

    static String text(BigDecimal amount) {
        return amount == null ? "absent" : cents(amount).toPlainString();
    }

    /**
     * A finding for "{@code term} = {@code formula}": passed when both agree to the cent, the detail
     * shows the stated value, how the expected one was computed, and the difference.
     */
    static Finding compare(String rule, String term, BigDecimal stated, String formula, BigDecimal expected) {
        BigDecimal difference = cents(stated).subtract(cents(expected));
        if (difference.signum() == 0) {
            return Finding.passed(rule, term + " " + text(stated) + " = " + formula + " = " + text(expected));
        }
        return Finding.failed(
                rule,
                term + " " + text(stated) + " differs from " + formula + " = " + text(expected) + " (difference "
                        + difference.toPlainString() + ")");
    }
}
