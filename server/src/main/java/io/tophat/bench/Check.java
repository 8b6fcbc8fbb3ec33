package io.tophat.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One part of a target of issue 3 that is not a throughput figure (memory, behaviour under overload): what was
 * asked with what was measured, and whether it is met.
 */
record Check(boolean met, String text) {

    /** For example {@code meets at most 300 MB: 235 MB}, or {@code MISSES ...}. */
    String line() {
        return (met ? "meets " : "MISSES ") + text;
    }

    /** The checks and whether all are met, for JSON. */
    static Map<String, Object> toJson(List<Check> checks) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checks", checks.stream().map(c -> Map.of("target", c.text(), "met", c.met())).toList());
        out.put("met", checks.stream().allMatch(Check::met));
        return out;
    }
}
