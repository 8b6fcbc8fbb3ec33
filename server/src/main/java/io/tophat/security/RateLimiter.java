package io.tophat.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by name (a producer id, a consumer key's name), safe from every event loop. A bucket exists only
 * while its owner has used some of its burst: {@link #sweep} drops the full ones, so memory follows the owners
 * active in the last few seconds, not every owner ever seen.
 */
public final class RateLimiter {
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * Takes one token from {@code name}'s bucket under {@code limit}; returns 0 when taken, else how many whole
     * seconds (at least 1) until one is there, for Retry-After.
     */
    public int take(String name, RateLimit limit, long nowNanos) {
        if (limit.unlimited()) {
            return 0;
        }
        Bucket bucket = buckets.get(name);
        if (bucket == null) {
            bucket = buckets.computeIfAbsent(name, n -> new Bucket(limit, nowNanos));
        }
        return bucket.take(limit, nowNanos);
    }

    /** Forgets every bucket that has filled up again (as good as none). */
    public void sweep(long nowNanos) {
        buckets.values().removeIf(b -> b.full(nowNanos));
    }

    private static final class Bucket {
        private RateLimit limit;
        private double tokens;
        private long lastNanos;

        Bucket(RateLimit limit, long nowNanos) {
            this.limit = limit;
            this.tokens = limit.burst();
            this.lastNanos = nowNanos;
        }

        synchronized int take(RateLimit latest, long nowNanos) {
            limit = latest;
            refill(nowNanos);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (int) Math.max(1, Math.ceil((1 - tokens) / limit.perSecond()));
        }

        synchronized boolean full(long nowNanos) {
            refill(nowNanos);
            return tokens >= limit.burst();
        }

        private void refill(long nowNanos) {
            long elapsed = nowNanos - lastNanos;
            if (elapsed > 0) {
                tokens = Math.min(limit.burst(), tokens + elapsed * limit.perSecond() / 1e9);
                lastNanos = nowNanos;
            }
        }
    }
}
