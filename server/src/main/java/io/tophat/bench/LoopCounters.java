package io.tophat.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one event loop of the load generator counted. Written only by that loop (plain increments published
 * with {@code lazySet}, latency into a {@link SingleWriterRecorder}), read by the reporting thread.
 */
final class LoopCounters {
    /** Latencies are recorded in microseconds, up to ten minutes, with three significant digits. */
    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);
    static final int DIGITS = 3;

    private final SingleWriterRecorder latency = new SingleWriterRecorder(1, HIGHEST_MICROS, DIGITS);
    private final AtomicLongArray statuses = new AtomicLongArray(Counts.STATUS_SLOTS);
    private final AtomicLongArray errors = new AtomicLongArray(ErrorKind.values().length);
    private final AtomicLongArray unsent = new AtomicLongArray(1);
    private final AtomicLongArray unavailableWithoutRetryAfter = new AtomicLongArray(1);
    private Histogram recycled;

    /**
     * On the loop: one answer with this status, {@code nanos} after the request's (intended) start; a 503 without
     * a Retry-After header is also counted apart.
     */
    void answered(int status, boolean retryAfter, long nanos) {
        int slot = status >= 0 && status < Counts.STATUS_SLOTS ? status : 0;
        statuses.lazySet(slot, statuses.get(slot) + 1);
        if (status == 503 && !retryAfter) {
            unavailableWithoutRetryAfter.lazySet(0, unavailableWithoutRetryAfter.get(0) + 1);
        }
        record(nanos);
    }

    /** On the loop: one request without answer; {@code nanos} negative when its latency means nothing. */
    void failed(ErrorKind kind, long nanos) {
        int slot = kind.ordinal();
        errors.lazySet(slot, errors.get(slot) + 1);
        if (nanos >= 0) {
            record(nanos);
        }
    }

    /** On the loop: a request that was due (open loop) but never sent, {@code nanos} after its intended start. */
    void unsent(long nanos) {
        unsent.lazySet(0, unsent.get(0) + 1);
        record(nanos);
    }

    private void record(long nanos) {
        latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000)));
    }

    /** On the reporting thread: adds the counts so far to {@code into}. */
    void addTo(Counts into) {
        for (int i = 0; i < Counts.STATUS_SLOTS; i++) {
            into.statuses[i] += statuses.get(i);
        }
        for (int i = 0; i < into.errors.length; i++) {
            into.errors[i] += errors.get(i);
        }
        into.unsent += unsent.get(0);
        into.unavailableWithoutRetryAfter += unavailableWithoutRetryAfter.get(0);
    }

    /** On the reporting thread: the latencies recorded since the previous call, added to each histogram given. */
    synchronized void drainInto(Histogram... targets) {
        recycled = latency.getIntervalHistogram(recycled);
        for (Histogram h : targets) {
            h.add(recycled);
        }
    }
}
