package io.tophat.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Takes a heap sample every interval on its own thread, from a start delay, at most a given number of times
 * (and no more once a sample fails).
 * {@link #liveHeap()} measures this process after a full collection, so a sample is live data, not garbage
 * waiting for the next young collection.
 */
final class HeapSampler implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final List<Long> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    private HeapSampler(LongSupplier measure, Duration delay, Duration every, int count) {
        long origin = System.nanoTime() + delay.toNanos();
        this.thread = new Thread(() -> {
            for (int k = 0; k < count && !stopped; k++) {
                if (!sleepUntil(origin + k * every.toNanos())) {
                    return;
                }
                long sample;
                try {
                    sample = measure.getAsLong();
                } catch (RuntimeException e) {
                    return;
                }
                synchronized (samples) {
                    samples.add(sample);
                }
            }
        }, "tophat-heap-sampler");
        thread.setDaemon(true);
    }

    /** Starts sampling {@code measure} after {@code delay}, then every {@code every}, {@code count} samples at most. */
    static HeapSampler start(LongSupplier measure, Duration delay, Duration every, int count) {
        HeapSampler sampler = new HeapSampler(measure, delay, every, count);
        sampler.thread.start();
        return sampler;
    }

    /** The samples taken so far, in bytes; no sample is taken after this returns. */
    HeapTrend stop() {
        close();
        synchronized (samples) {
            return new HeapTrend(samples);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Used heap of this process right after a full collection ({@code System.gc()}), in bytes. */
    static long liveHeap() {
        MEMORY.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /**
     * Live heap once it has settled: full collections until two in a row agree within 256 KB (at most ten), so
     * that references cleared by one collection and freed by the next do not count.
     */
    static long settledLiveHeap() {
        long previous = liveHeap();
        for (int i = 0; i < 10; i++) {
            long now = liveHeap();
            if (Math.abs(now - previous) <= 256 * 1024) {
                return Math.min(now, previous);
            }
            previous = now;
        }
        return previous;
    }

    private static boolean sleepUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return true;
    }
}
