package io.tophat.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap samples taken one second apart, summarised. The heap stayed <b>flat</b> when the largest sample of the
 * second half is at most {@link #margin()} above the largest of the first half: a tenth of that first-half
 * largest, and at least {@link #MIN_MARGIN} bytes. With fewer than two samples there is no trend ({@code flat}
 * is null).
 *
 * @param samples bytes, in the order taken
 */
record HeapTrend(List<Long> samples) {
    static final long MIN_MARGIN = 16_000_000L;

    HeapTrend {
        samples = List.copyOf(samples);
    }

    long first() {
        return samples.isEmpty() ? 0 : samples.get(0);
    }

    long last() {
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1);
    }

    long min() {
        return samples.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    long max() {
        return largest(0, samples.size());
    }

    /** The largest sample of the first half (the middle sample of an odd count belongs to the second half). */
    long firstHalfMax() {
        return largest(0, samples.size() / 2);
    }

    long secondHalfMax() {
        return largest(samples.size() / 2, samples.size());
    }

    long margin() {
        return Math.max(MIN_MARGIN, firstHalfMax() / 10);
    }

    /** Whether the heap stayed flat, or null with fewer than two samples. */
    Boolean flat() {
        return samples.size() < 2 ? null : secondHalfMax() <= firstHalfMax() + margin();
    }

    private long largest(int from, int to) {
        return samples.subList(from, to).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** For example {@code 12 samples: first 61.2 MB, last 60.8 MB, min 58.1 MB, max 63.0 MB}. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "%d samples: first %.1f MB, last %.1f MB, min %.1f MB, max %.1f MB",
                samples.size(), mb(first()), mb(last()), mb(min()), mb(max()));
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("samples_mb", samples.stream().map(HeapTrend::mb).map(LoadResult::round).toList());
        out.put("first_mb", LoadResult.round(mb(first())));
        out.put("last_mb", LoadResult.round(mb(last())));
        out.put("min_mb", LoadResult.round(mb(min())));
        out.put("max_mb", LoadResult.round(mb(max())));
        out.put("first_half_max_mb", LoadResult.round(mb(firstHalfMax())));
        out.put("second_half_max_mb", LoadResult.round(mb(secondHalfMax())));
        out.put("margin_mb", LoadResult.round(mb(margin())));
        out.put("flat", flat());
        return out;
    }

    /** Megabytes of 10^6 bytes. */
    static double mb(long bytes) {
        return bytes / 1e6;
    }
}
