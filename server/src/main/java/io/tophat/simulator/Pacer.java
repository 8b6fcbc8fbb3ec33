package io.tophat.simulator;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Paces a simulated client: one tick every interval from a first tick, until an optional deadline. A tick that
 * comes too late is not made up for with a burst; the missed ticks are skipped.
 */
final class Pacer {
    private final long intervalNanos;
    private final long deadlineNanos;
    private final boolean hasDeadline;
    private long nextNanos;

    /**
     * @param firstNanos    the {@link System#nanoTime()} of the first tick
     * @param deadlineNanos the {@link System#nanoTime()} after which no tick comes, used when {@code hasDeadline}
     */
    Pacer(Duration interval, long firstNanos, long deadlineNanos, boolean hasDeadline) {
        this.intervalNanos = interval.toNanos();
        this.nextNanos = firstNanos;
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = hasDeadline;
    }

    /** The time left until the next tick (zero when it is due). */
    Duration untilNextTick() {
        return Duration.ofNanos(Math.max(0, nextNanos - System.nanoTime()));
    }

    /** Sleeps until the next tick and returns true, or returns false when the deadline comes before it. */
    boolean awaitNext() throws InterruptedException {
        if (hasDeadline && nextNanos - deadlineNanos >= 0) {
            return false;
        }
        long wait = nextNanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        long now = System.nanoTime();
        nextNanos += intervalNanos;
        if (nextNanos - now < 0) {
            nextNanos += ((now - nextNanos) / intervalNanos + 1) * intervalNanos;
        }
        return true;
    }
}
