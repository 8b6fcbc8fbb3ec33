package io.tophat.security;

/**
 * A token bucket's settings: {@code perSecond} requests a second on average, up to {@code burst} at once. A rate
 * of 0 means no limit.
 */
public record RateLimit(double perSecond, int burst) {
    public static final String DEFAULT_PRODUCER_RATE = "10";
    public static final int DEFAULT_PRODUCER_BURST = 50;
    public static final RateLimit NONE = new RateLimit(0, 1);

    public RateLimit {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be 0 (no limit) or more requests a second, not " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("a burst must be at least 1, not " + burst);
        }
    }

    /** The producers' default: {@value #DEFAULT_PRODUCER_RATE} a second, bursts of {@value #DEFAULT_PRODUCER_BURST}. */
    public static RateLimit producerDefault() {
        return new RateLimit(Double.parseDouble(DEFAULT_PRODUCER_RATE), DEFAULT_PRODUCER_BURST);
    }

    public boolean unlimited() {
        return perSecond == 0;
    }
}
