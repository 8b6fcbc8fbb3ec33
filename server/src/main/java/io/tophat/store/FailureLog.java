package io.tophat.store;

import org.slf4j.Logger;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the operator what a store's failures are, in full (file, database, driver message), without a line per
 * request: each {@link StoreException#condition() condition} is logged at WARN when it first occurs, then at most
 * once a minute while it lasts, saying how many failures came in between. Clients are told only the condition.
 */
public final class FailureLog {
    static final long EVERY_NANOS = 60_000_000_000L;

    private final Logger log;
    private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();

    public FailureLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code e} unless its condition was logged less than a minute ago; returns it, to be thrown. */
    public StoreException report(StoreException e) {
        // the conditions are a handful of fixed phrases, so the map stays small
        Seen s = seen.computeIfAbsent(e.condition(), c -> new Seen());
        long now = System.nanoTime();
        long last = s.loggedAt.get();
        if (last != 0 && now - last < EVERY_NANOS) {
            s.since.incrementAndGet();
            return e;
        }
        if (!s.loggedAt.compareAndSet(last, now == 0 ? 1 : now)) {
            s.since.incrementAndGet();
            return e;
        }
        long more = s.since.getAndSet(0);
        if (more == 0) {
            log.warn("{}", e.getMessage());
        } else {
            log.warn("{} ({} more such failures since the last report)", e.getMessage(), more);
        }
        return e;
    }

    private static final class Seen {
        final AtomicLong loggedAt = new AtomicLong();
        final AtomicLong since = new AtomicLong();
    }
}
