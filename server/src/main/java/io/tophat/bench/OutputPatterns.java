package io.tophat.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the parsers of wrk's and ab's output share: finding a line's figures. */
final class OutputPatterns {
    private OutputPatterns() {
    }

    /** The first match of {@code p} in {@code text}; fails naming {@code what} when there is none. */
    static Matcher required(Pattern p, String text, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no '" + what + "' line in the output: " + lastLine(text));
        }
        return m;
    }

    /** Group 1 of the first match of {@code p} as a count, or 0 when the line is missing (as the tools do). */
    static long count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Every match of {@code p}: group 1 the percentile, group 2 its latency in milliseconds via {@code millis}. */
    static SortedMap<Integer, Double> percentiles(Pattern p, String text, ToDoubleFunction<String> millis) {
        SortedMap<Integer, Double> out = new TreeMap<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.put(Integer.parseInt(m.group(1)), millis.applyAsDouble(m.group(2)));
        }
        return out;
    }

    /** The entries of {@code counts} that are positive, in their order, unmodifiable. */
    static Map<String, Long> positive(Map<String, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((key, n) -> {
            if (n > 0) {
                out.put(key, n);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The first line that is not blank. */
    static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("(nothing)");
    }

    /** The last line that is not blank, to say what a tool printed instead of its summary. */
    static String lastLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("(nothing)");
    }
}
