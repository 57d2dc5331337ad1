package com.apintake.validation.control;

import com.apintake.validation.entity.Finding;
import java.math.BigDecimal;
import java.util.List;

/** The shared arithmetic of BR-CO-11 and BR-CO-12: a stated total against the amounts it sums. */
final class DocumentLevelSum {

    private DocumentLevelSum() {}

    static Finding check(String rule, String term, String what, BigDecimal stated, List<BigDecimal> amounts) {
        if (stated == null && amounts.isEmpty()) {
            return Finding.notApplicable(rule, "no " + what + " and no " + term);
        }
        BigDecimal sum = amounts.stream().map(Money::orZero).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (stated == null) {
            return Finding.failed(
                    rule, term + " absent although " + amounts.size() + " " + what + " sum to " + Money.text(sum));
        }
        return Money.compare(rule, term, stated, "sum of " + amounts.size() + " " + what, sum);
    }
}
