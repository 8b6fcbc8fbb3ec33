package io.tophat.bench;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;

/**
 * The figures of one run of wrk or ab, read from the tool's own output, in the bench's terms. Whether an
 * answer is ok follows the builtin generator (a status below 400) as far as the tool tells: wrk counts
 * {@code Non-2xx or 3xx responses} as status 400 and above; ab's {@code Non-2xx responses} also counts the 3xx,
 * so where redirects are the expected answer ({@code redirects}) they are not failures.
 */
sealed interface ToolOutput permits WrkOutput, AbOutput {

    /** Answers of any status (wrk's requests, ab's complete requests). */
    long answers();

    /** The measured time. */
    Duration elapsed();

    /** Requests per second as the tool printed it (all answers). */
    double toolRequestsPerSecond();

    /** Latency percentiles the tool printed, in milliseconds, by percentile (50, 90, 99...). */
    SortedMap<Integer, Double> percentilesMillis();

    double maxMillis();

    /** Answers that count as ok. */
    long ok(boolean redirects);

    /** Failures by kind, only kinds that occurred, keyed for example {@code read_errors} or {@code non_2xx}. */
    Map<String, Long> errors(boolean redirects);

    /** What the figures leave out or count otherwise, as a phrase; empty for nothing. */
    default String note(boolean redirects) {
        return "";
    }

    /** The 2xx answers a wrk script counted and printed as {@code acknowledged: N}; empty without such a line. */
    default OptionalLong acknowledged() {
        return OptionalLong.empty();
    }

    /** The answers that acknowledged a request: the script's count when it printed one, else the ok answers. */
    default long acknowledgedAnswers(boolean redirects) {
        return acknowledged().orElse(ok(redirects));
    }

    /** A latency percentile in milliseconds, NaN when the tool did not print it. */
    default double percentileMillis(int percentile) {
        Double v = percentilesMillis().get(percentile);
        return v == null ? Double.NaN : v;
    }

    /** Every failure: the sum of {@link #errors}. */
    default long failed(boolean redirects) {
        return errors(redirects).values().stream().mapToLong(Long::longValue).sum();
    }
}
