package io.tophat.worker;

/**
 * Whether the worker's store takes writes: the writer reports each batch's result, and a store that has failed
 * every write for longer than the threshold makes the worker step aside (it reports the failure in its leases and
 * sends producers away, 410) until a write, or a probe ({@code HeartbeatStore.checkWritable}), succeeds. A worker
 * on a store other workers share never steps aside: they would fail the same, so its producers stay and are
 * answered 503 with Retry-After until the database is back.
 */
final class StoreHealth {
    private final long thresholdNanos;
    private final boolean shared;
    private volatile long failingSinceNanos = -1;

    StoreHealth(java.time.Duration threshold, boolean shared) {
        this.thresholdNanos = threshold.toNanos();
        this.shared = shared;
    }

    /** A write failed; the first failure of a run starts the clock. */
    void failed() {
        if (failingSinceNanos < 0) {
            failingSinceNanos = System.nanoTime();
        }
    }

    void succeeded() {
        failingSinceNanos = -1;
    }

    /** True while writes fail (a probe may tell when they work again). */
    boolean failing() {
        return failingSinceNanos >= 0;
    }

    /** How long every write has failed, once past the threshold; 0 otherwise (what the lease reports). */
    long steppedAsideMs() {
        long since = failingSinceNanos;
        if (since < 0 || shared) {
            return 0;
        }
        long failing = System.nanoTime() - since;
        return failing > thresholdNanos ? Math.max(1, failing / 1_000_000) : 0;
    }
}
