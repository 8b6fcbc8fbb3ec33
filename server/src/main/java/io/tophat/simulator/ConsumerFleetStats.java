package io.tophat.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A consumer fleet's requests over a window (the last status interval, or the whole run).
 *
 * @param window        the time covered
 * @param requests      requests made
 * @param ok            requests that returned the producer's data
 * @param errors        the other requests, by why they failed; only kinds that occurred
 * @param p50Millis     median latency in milliseconds, of the requests answered or timed out, corrected for
 *                      coordinated omission against the consumers' interval
 * @param p90Millis     90th percentile latency in milliseconds
 * @param p99Millis     99th percentile latency in milliseconds
 * @param maxMillis     the largest latency in milliseconds
 * @param ratePerSecond requests per second over the window
 */
public record ConsumerFleetStats(Duration window, long requests, long ok, Map<ConsumerError, Long> errors,
                                 double p50Millis, double p90Millis, double p99Millis, double maxMillis,
                                 double ratePerSecond) {

    public ConsumerFleetStats {
        errors = Map.copyOf(errors);
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** For example {@code requests 1200 (240.0/s), errors 3 [timeout 3], p50 1.21 ms, p90 2.30 ms, p99 5.67 ms, max 9.10 ms}. */
    public String oneLine() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "requests %d (%.1f/s), errors %d",
                requests, ratePerSecond, errorCount()));
        if (!errors.isEmpty()) {
            StringJoiner kinds = new StringJoiner(", ", " [", "]");
            for (ConsumerError kind : ConsumerError.values()) {
                Long n = errors.get(kind);
                if (n != null) {
                    kinds.add(kind.label() + " " + n);
                }
            }
            line.append(kinds);
        }
        line.append(String.format(Locale.ROOT, ", p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                p50Millis, p90Millis, p99Millis, maxMillis));
        return line.toString();
    }
}
