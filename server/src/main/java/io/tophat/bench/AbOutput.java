package io.tophat.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ApacheBench (ab 2.3) printed at the end of a run. ab counts a failed request once per reason (a reset
 * answer can fail as Receive, Length and Exceptions at once), so {@code failed} may exceed {@code complete};
 * and its {@code Non-2xx responses} include the 3xx. Latencies are whole milliseconds, as ab prints them.
 *
 * @param complete          {@code Complete requests}
 * @param failed            {@code Failed requests}: the sum of the four reasons
 * @param connectFailures   {@code (Connect: ...}
 * @param receiveFailures   {@code Receive}
 * @param lengthFailures    {@code Length}: a body of another length than the first answer's
 * @param exceptions        {@code Exceptions}
 * @param writeErrors       {@code Write errors}
 * @param non2xx            {@code Non-2xx responses} (3xx included)
 * @param seconds           {@code Time taken for tests}
 * @param requestsPerSecond {@code Requests per second}: complete requests over that time
 * @param percentilesMillis {@code Percentage of the requests served within a certain time}: 50 to 100 (the longest)
 */
public record AbOutput(long complete, long failed, long connectFailures, long receiveFailures, long lengthFailures,
                       long exceptions, long writeErrors, long non2xx, double seconds, double requestsPerSecond,
                       SortedMap<Integer, Double> percentilesMillis) implements ToolOutput {
    private static final Pattern COMPLETE = Pattern.compile("(?m)^Complete requests:\\s+(\\d+)");
    private static final Pattern FAILED = Pattern.compile("(?m)^Failed requests:\\s+(\\d+)");
    private static final Pattern REASONS = Pattern.compile(
            "\\(Connect: (\\d+), Receive: (\\d+), Length: (\\d+), Exceptions: (\\d+)\\)");
    private static final Pattern WRITE_ERRORS = Pattern.compile("(?m)^Write errors:\\s+(\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^Non-2xx responses:\\s+(\\d+)");
    private static final Pattern TIME = Pattern.compile("(?m)^Time taken for tests:\\s+([0-9.]+) seconds");
    private static final Pattern RATE = Pattern.compile("(?m)^Requests per second:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^[ \\t]*(\\d+)%[ \\t]+(\\d+)");

    public AbOutput {
        percentilesMillis = Collections.unmodifiableSortedMap(new TreeMap<>(percentilesMillis));
    }

    /** Reads ab's standard output; fails, quoting its last line, when it holds no summary (ab stopped early). */
    public static AbOutput parse(String text) {
        long complete = Long.parseLong(OutputPatterns.required(COMPLETE, text, "Complete requests").group(1));
        Matcher reasons = REASONS.matcher(text);
        boolean given = reasons.find();
        return new AbOutput(complete, OutputPatterns.count(FAILED, text),
                given ? Long.parseLong(reasons.group(1)) : 0, given ? Long.parseLong(reasons.group(2)) : 0,
                given ? Long.parseLong(reasons.group(3)) : 0, given ? Long.parseLong(reasons.group(4)) : 0,
                OutputPatterns.count(WRITE_ERRORS, text), OutputPatterns.count(NON_2XX, text),
                Double.parseDouble(OutputPatterns.required(TIME, text, "Time taken for tests").group(1)),
                Double.parseDouble(OutputPatterns.required(RATE, text, "Requests per second").group(1)),
                OutputPatterns.percentiles(PERCENTILE, text, Double::parseDouble));
    }

    @Override
    public long answers() {
        return complete;
    }

    @Override
    public Duration elapsed() {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    @Override
    public double toolRequestsPerSecond() {
        return requestsPerSecond;
    }

    /** The longest request (ab's 100%). */
    @Override
    public double maxMillis() {
        return percentileMillis(100);
    }

    /** Complete requests less every failure (never below 0: ab counts a request once per reason). */
    @Override
    public long ok(boolean redirects) {
        return Math.max(0, complete - failed(redirects));
    }

    @Override
    public Map<String, Long> errors(boolean redirects) {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("failed_connect", connectFailures);
        all.put("failed_receive", receiveFailures);
        all.put("failed_length", lengthFailures);
        all.put("failed_exceptions", exceptions);
        all.put("failed_other", failed - connectFailures - receiveFailures - lengthFailures - exceptions);
        all.put("write_errors", writeErrors);
        all.put("non_2xx", redirects ? 0 : non2xx);
        return OutputPatterns.positive(all);
    }

    @Override
    public String note(boolean redirects) {
        return redirects && non2xx > 0 ? String.format(Locale.ROOT, "%,d non-2xx, not failed: the expected 302s "
                + "(ab counts 3xx as non-2xx)", non2xx) : "";
    }
}
