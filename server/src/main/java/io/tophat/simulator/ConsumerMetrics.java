package io.tophat.simulator;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a consumer fleet's requests and records their latency: consumer threads call {@link #record} on the hot
 * path (lock-free), a reporting thread takes {@link #interval()} and {@link #totals()} snapshots.
 */
final class ConsumerMetrics {
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 3;

    private final long expectedIntervalMicros;
    private final Recorder recorder = new Recorder(HIGHEST_MICROS, DIGITS);
    private final LongAdder requests = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final Map<ConsumerError, LongAdder> errors = new EnumMap<>(ConsumerError.class);

    private final Histogram total = new Histogram(HIGHEST_MICROS, DIGITS);
    private final Histogram window = new Histogram(HIGHEST_MICROS, DIGITS);
    private Histogram drained;
    private long startNanos;
    private long windowStartNanos;
    private long windowStartRequests;
    private long windowStartOk;
    private final Map<ConsumerError, Long> windowStartErrors = new EnumMap<>(ConsumerError.class);

    ConsumerMetrics(Duration expectedInterval) {
        this.expectedIntervalMicros = Math.max(1, expectedInterval.toNanos() / 1000);
        for (ConsumerError kind : ConsumerError.values()) {
            errors.put(kind, new LongAdder());
            windowStartErrors.put(kind, 0L);
        }
        this.startNanos = System.nanoTime();
        this.windowStartNanos = startNanos;
    }

    /** Starts the clock of the rates over again, for example when the consumers start. */
    synchronized void begin() {
        startNanos = System.nanoTime();
        windowStartNanos = startNanos;
    }

    /**
     * Counts one request.
     *
     * @param error          why it failed, or null when it returned data
     * @param latencyNanos   how long it took
     * @param measureLatency whether its latency belongs in the histogram (answers and timeouts do; refused
     *                       connections, which take no time, do not)
     */
    void record(ConsumerError error, long latencyNanos, boolean measureLatency) {
        requests.increment();
        if (error == null) {
            ok.increment();
        } else {
            errors.get(error).increment();
        }
        if (measureLatency) {
            long micros = Math.min(HIGHEST_MICROS, Math.max(0, latencyNanos / 1000));
            recorder.recordValueWithExpectedInterval(micros, expectedIntervalMicros);
        }
    }

    /** The requests since the previous call (or the start), for a status line. */
    synchronized ConsumerFleetStats interval() {
        drain();
        long now = System.nanoTime();
        Map<ConsumerError, Long> counted = new EnumMap<>(ConsumerError.class);
        for (ConsumerError kind : ConsumerError.values()) {
            long sum = errors.get(kind).sum();
            long n = sum - windowStartErrors.put(kind, sum);
            if (n > 0) {
                counted.put(kind, n);
            }
        }
        long requestsNow = requests.sum();
        long okNow = ok.sum();
        ConsumerFleetStats stats = stats(Duration.ofNanos(now - windowStartNanos), requestsNow - windowStartRequests,
                okNow - windowStartOk, counted, window);
        window.reset();
        windowStartNanos = now;
        windowStartRequests = requestsNow;
        windowStartOk = okNow;
        return stats;
    }

    /** Every request since the start. */
    synchronized ConsumerFleetStats totals() {
        drain();
        Map<ConsumerError, Long> counted = new EnumMap<>(ConsumerError.class);
        errors.forEach((kind, n) -> {
            if (n.sum() > 0) {
                counted.put(kind, n.sum());
            }
        });
        return stats(Duration.ofNanos(System.nanoTime() - startNanos), requests.sum(), ok.sum(), counted, total);
    }

    private void drain() {
        drained = recorder.getIntervalHistogram(drained);
        total.add(drained);
        window.add(drained);
    }

    private static ConsumerFleetStats stats(Duration span, long requests, long ok, Map<ConsumerError, Long> errors,
                                            Histogram latency) {
        double seconds = span.toNanos() / 1e9;
        return new ConsumerFleetStats(span, requests, ok, errors,
                millis(latency.getValueAtPercentile(50)), millis(latency.getValueAtPercentile(90)),
                millis(latency.getValueAtPercentile(99)), millis(latency.getMaxValue()),
                seconds > 0 ? requests / seconds : 0);
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
