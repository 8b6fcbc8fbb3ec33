package io.tophat.client;

import java.time.Duration;

/**
 * A run of failed attempts in a row: when the next attempt may start (backoff, or the wait a server asked for)
 * and whether the retries allowed are used up. Not thread-safe: used under the producer's delivery lock.
 */
final class RetryRun {
    private final int maxRetries;
    private final Backoff backoff;
    private int failed;
    private long retryAtNanos;

    /** @param maxRetries retries allowed after the first failure, {@link ProducerConfig#RETRY_FOREVER} for no limit */
    RetryRun(int maxRetries, Backoff backoff) {
        this.maxRetries = maxRetries;
        this.backoff = backoff;
    }

    /** True when no attempt of the run has failed yet. */
    boolean fresh() {
        return failed == 0;
    }

    /** How long to wait before the next attempt may start; zero or less when it may start now. */
    long nanosToWait(long nowNanos) {
        return failed == 0 ? 0 : retryAtNanos - nowNanos;
    }

    /** The {@link System#nanoTime()} before which the next attempt may not start; meaningful when waiting. */
    long retryAtNanos() {
        return retryAtNanos;
    }

    /**
     * Counts a failed attempt and schedules the next after {@code requested}, or after the backoff's pause when
     * null. Returns false, and ends the run, when the retries are used up.
     */
    boolean fail(Duration requested) {
        failed++;
        if (maxRetries != ProducerConfig.RETRY_FOREVER && failed > maxRetries) {
            failed = 0;
            return false;
        }
        Duration pause = requested != null ? requested : backoff.delay(failed);
        retryAtNanos = System.nanoTime() + pause.toNanos();
        return true;
    }

    /** A server answered: the run is over. */
    void succeed() {
        failed = 0;
    }
}
