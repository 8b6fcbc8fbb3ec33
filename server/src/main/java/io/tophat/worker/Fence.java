package io.tophat.worker;

import io.tophat.protocol.WorkerLease;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Producers the balancer moved to another worker, with the epoch of the move, as told in lease answers. Their
 * heartbeats are refused (409) until the balancer grants them back, so two workers never both take a
 * producer's heartbeats. Bounded: beyond {@value #CAPACITY} entries the oldest revocation is forgotten.
 */
final class Fence {
    static final int CAPACITY = 1_000_000;

    private final Map<String, Long> revoked = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CAPACITY;
        }
    };
    private volatile boolean empty = true;

    synchronized void apply(WorkerLease lease) {
        revoked.putAll(lease.revoked());
        for (String producer : lease.granted().keySet()) {
            revoked.remove(producer);
        }
        empty = revoked.isEmpty();
    }

    /** The epoch at which the producer moved away, or null when it may send here. */
    Long revokedEpoch(String producer) {
        if (empty) {
            return null;
        }
        synchronized (this) {
            return revoked.get(producer);
        }
    }
}
