package com.apintake.monitoring.control;

import java.util.LinkedHashMap;
import java.util.Map;

/** The small helpers every recommendation topic writes its evidence with. */
final class Findings {

    private Findings() {}

    /** An identifier as SQL needs it: plain when lower-case, else double-quoted. */
    static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** key, value, key, value, ... in order; values may be null. */
    static Map<String, Object> evidence(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
