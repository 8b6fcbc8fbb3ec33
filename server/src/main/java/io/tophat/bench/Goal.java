package io.tophat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A target for one run, checked against what was measured: issue 3's with the builtin generator, issue 16's (higher,
 * against nginx) with wrk or ab, which leave the server its CPU. Null fields are not part of the goal.
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
    /** Issue 16, with wrk: the worker's latest read 0.8x nginx's constant 200, p99 at most 10 ms. */
    static final Goal READ_BY_TOOL = new Goal(0.8, 10.0, null, false);
    /** Issue 16, with wrk or ab: the balancer's redirect 0.9x nginx's constant 302. */
    static final Goal REDIRECT_BY_TOOL = new Goal(0.9, null, null, false);
    /** Issue 16, with wrk: durable ingest 0.5x nginx answering the same POSTs, p99 at most 25 ms. */
    static final Goal INGEST_BY_TOOL = new Goal(0.5, 25.0, null, false);
    /** Issue 16, with ab: the report's test 2 at 0.6x nginx, no failure, p99 under 50 ms. */
    static final Goal SEED_TEST_2_BY_TOOL = new Goal(0.6, 50.0, null, true);

    /** {@code builtin} when the builtin generator sent the load, else {@code byTool}. */
    static Goal of(Generator generator, Goal builtin, Goal byTool) {
        return generator.external() ? byTool : builtin;
    }

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
