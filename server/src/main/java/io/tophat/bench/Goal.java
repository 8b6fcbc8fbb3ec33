package io.tophat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A target of issue 3 for one run, checked against what was measured. Null fields are not part of the goal.
 *
 * @param minRatio     requests/s at least this fraction of the reference's
 * @param maxP99Millis p99 latency at most this
 * @param minPerSecond requests/s at least this
 * @param noFailures   no failed request at all
 */
record Goal(Double minRatio, Double maxP99Millis, Double minPerSecond, boolean noFailures) {
    static final Goal NONE = new Goal(null, null, null, false);
    /** Redirect and latest read: 0.5x the reference, p99 at most 25 ms. */
    static final Goal READ = new Goal(0.5, 25.0, null, false);
    /** Durable ingest: 40,000 heartbeats/s, p99 at most 50 ms, 0.4x the reference. */
    static final Goal INGEST = new Goal(0.4, 50.0, 40_000.0, false);
    /** The report's test 2: no failure, p99 under 100 ms, 0.5x nginx. */
    static final Goal SEED_TEST_2 = new Goal(0.5, 100.0, null, true);

    /** One line per part of the goal, each starting with {@code meets} or {@code BELOW}. */
    List<String> check(RunFigures r, Double ratio) {
        List<String> lines = new ArrayList<>();
        if (minRatio != null && ratio != null) {
            lines.add(verdict(ratio >= minRatio, String.format(Locale.ROOT, "at least %.2fx the reference: %.2fx",
                    minRatio, ratio)));
        }
        if (maxP99Millis != null) {
            lines.add(verdict(r.p99Millis() <= maxP99Millis, String.format(Locale.ROOT,
                    "p99 at most %.0f ms: %.2f ms", maxP99Millis, r.p99Millis())));
        }
        if (minPerSecond != null) {
            lines.add(verdict(r.okPerSecond() >= minPerSecond, String.format(Locale.ROOT,
                    "at least %,.0f requests/s: %,.0f", minPerSecond, r.okPerSecond())));
        }
        if (noFailures) {
            lines.add(verdict(r.failed() == 0 && r.unsent() == 0, "no failed request: " + r.failed() + " failed"));
        }
        return lines;
    }

    /** The goal and whether each part is met, for JSON. */
    Map<String, Object> toJson(RunFigures r, Double ratio) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (minRatio != null) {
            out.put("min_ratio", minRatio);
        }
        if (maxP99Millis != null) {
            out.put("max_p99_ms", maxP99Millis);
        }
        if (minPerSecond != null) {
            out.put("min_requests_per_s", minPerSecond);
        }
        if (noFailures) {
            out.put("no_failures", true);
        }
        out.put("met", check(r, ratio).stream().allMatch(line -> line.startsWith("meets")));
        return out;
    }

    private static String verdict(boolean ok, String text) {
        return (ok ? "meets " : "BELOW ") + text;
    }
}
