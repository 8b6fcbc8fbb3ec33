package io.tophat.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: before retry {@code n} (1, 2, ...) wait a uniformly random time between
 * zero and {@code min(max, base * 2^(n-1))}, so that many producers failing together do not retry together.
 */
final class Backoff {
    private final long baseNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    Backoff(Duration base, Duration max, RandomGenerator random) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The largest pause before retry {@code attempt}. */
    Duration ceiling(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 62));
        long ceiling = baseNanos > (maxNanos >> doublings) ? maxNanos : baseNanos << doublings;
        return Duration.ofNanos(Math.min(ceiling, maxNanos));
    }

    /** A random pause before retry {@code attempt}, between zero and {@link #ceiling(int)}. */
    Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toNanos();
        return Duration.ofNanos(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
    }
}
