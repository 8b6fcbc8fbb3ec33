package io.tophat.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What wrk 4 printed at the end of a run ({@code wrk --latency}; without it there are no percentiles), and the
 * {@code acknowledged: N} line the bench's heartbeat script adds. Latencies are in milliseconds, whatever unit
 * wrk wrote ({@code us}, {@code ms}, {@code s}, {@code m}, {@code h}).
 *
 * @param requests           answers of any status ({@code N requests in 5.00s})
 * @param seconds            the run's length as wrk printed it (two decimals)
 * @param requestsPerSecond  {@code Requests/sec}: requests over the exact run time
 * @param maxMillis          the longest latency ({@code Latency} line, column Max)
 * @param percentilesMillis  {@code Latency Distribution}: 50, 75, 90 and 99
 * @param non2xxOr3xx        answers with a status of 400 or more ({@code Non-2xx or 3xx responses})
 * @param connectErrors      {@code Socket errors: connect}
 * @param readErrors         {@code read}
 * @param writeErrors        {@code write}
 * @param timeouts           {@code timeout}: requests answered, if at all, after wrk's --timeout
 * @param acknowledgedCount  the script's count of 2xx answers, or -1 without that line
 */
public record WrkOutput(long requests, double seconds, double requestsPerSecond, double maxMillis,
                        SortedMap<Integer, Double> percentilesMillis, long non2xxOr3xx, long connectErrors,
                        long readErrors, long writeErrors, long timeouts, long acknowledgedCount) implements ToolOutput {
    private static final Pattern SUMMARY = Pattern.compile("(?m)^[ \\t]*(\\d+) requests in ([0-9.]+[a-z]+)");
    private static final Pattern RATE = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("(?m)^[ \\t]*Latency[ \\t]+(\\S+)\\s+(\\S+)\\s+(\\S+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^[ \\t]*(\\d+)%[ \\t]+([0-9.]+[a-z]+)[ \\t]*$");
    private static final Pattern TIME = Pattern.compile("([0-9.]+)([a-z]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern ACKNOWLEDGED = Pattern.compile("(?m)^acknowledged: (\\d+)");

    public WrkOutput {
        percentilesMillis = Collections.unmodifiableSortedMap(new TreeMap<>(percentilesMillis));
    }

    /** Reads wrk's output; fails, quoting its last line, when it holds no summary (wrk could not run). */
    public static WrkOutput parse(String text) {
        Matcher summary = OutputPatterns.required(SUMMARY, text, "N requests in");
        Matcher rate = OutputPatterns.required(RATE, text, "Requests/sec");
        Matcher latency = OutputPatterns.required(LATENCY, text, "Latency");
        Matcher socket = SOCKET_ERRORS.matcher(text);
        boolean errors = socket.find();
        Matcher acknowledged = ACKNOWLEDGED.matcher(text);
        return new WrkOutput(Long.parseLong(summary.group(1)), millis(summary.group(2)) / 1000,
                Double.parseDouble(rate.group(1)), millis(latency.group(3)),
                OutputPatterns.percentiles(PERCENTILE, text, WrkOutput::millis), OutputPatterns.count(NON_2XX, text),
                errors ? Long.parseLong(socket.group(1)) : 0, errors ? Long.parseLong(socket.group(2)) : 0,
                errors ? Long.parseLong(socket.group(3)) : 0, errors ? Long.parseLong(socket.group(4)) : 0,
                acknowledged.find() ? Long.parseLong(acknowledged.group(1)) : -1);
    }

    /** A wrk time ({@code 654.00us}, {@code 1.23ms}, {@code 1.20s}, {@code 2.00m}, {@code 1.00h}) in milliseconds. */
    static double millis(String text) {
        Matcher m = TIME.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a wrk time: " + text);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> throw new IllegalArgumentException("not a wrk time unit: " + text);
        };
    }

    @Override
    public long answers() {
        return requests;
    }

    /** Requests over wrk's rate, which it worked out from the exact run time; the printed seconds otherwise. */
    @Override
    public Duration elapsed() {
        double s = requests > 0 && requestsPerSecond > 0 ? requests / requestsPerSecond : seconds;
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    @Override
    public double toolRequestsPerSecond() {
        return requestsPerSecond;
    }

    /**
     * Requests less those answered 400 or above and those answered after the timeout: wrk counts a late answer as
     * a request and as a timeout (without its latency), the builtin generator as a timeout only.
     */
    @Override
    public long ok(boolean redirects) {
        return Math.max(0, requests - non2xxOr3xx - timeouts);
    }

    @Override
    public Map<String, Long> errors(boolean redirects) {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("non_2xx_or_3xx", non2xxOr3xx);
        all.put("connect_errors", connectErrors);
        all.put("read_errors", readErrors);
        all.put("write_errors", writeErrors);
        all.put("timeouts", timeouts);
        return OutputPatterns.positive(all);
    }

    @Override
    public String note(boolean redirects) {
        return timeouts > 0 ? String.format(Locale.ROOT, "the %,d timeouts have no latency in wrk's figures", timeouts)
                : "";
    }

    @Override
    public OptionalLong acknowledged() {
        return acknowledgedCount < 0 ? OptionalLong.empty() : OptionalLong.of(acknowledgedCount);
    }
}
