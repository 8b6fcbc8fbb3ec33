package io.tophat.worker;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * Load figures a worker reports with its lease: heartbeats per second and ingest latency, recorded on the hot
 * path without locks and read from the lease timer.
 */
public final class WorkerMetrics {
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Recorder ingestMicros = new Recorder(3);
    private long lastCount;
    private long lastNanos = System.nanoTime();
    private Histogram interval;

    public void acknowledged(long startNanos) {
        acknowledged.increment();
        ingestMicros.recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1000));
    }

    public void rejected() {
        rejected.increment();
    }

    public long acknowledgedTotal() {
        return acknowledged.sum();
    }

    public long rejectedTotal() {
        return rejected.sum();
    }

    /** Rate and p99 since the previous call; called from one thread (the lease timer). */
    public synchronized Sample sample() {
        long now = System.nanoTime();
        long count = acknowledged.sum();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        double rate = (count - lastCount) / seconds;
        lastCount = count;
        lastNanos = now;
        interval = ingestMicros.getIntervalHistogram(interval);
        double p99Millis = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
        return new Sample(rate, p99Millis);
    }

    public record Sample(double heartbeatsPerSecond, double p99IngestMillis) {
    }
}
