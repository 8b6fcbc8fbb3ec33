package io.tophat.worker;

import io.tophat.protocol.WorkerLease;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one balancer has told this worker about each producer, by epoch: granted here (positive), moved away
 * (negative), or only seen in a heartbeat with no grant yet (0). A transfer is applied only when its epoch is
 * later than what is known, so answers applied twice or out of order change nothing. The producers held, with
 * their epochs, are what the worker reports so that a balancer that lost its state can rebuild it.
 *
 * <p>One entry per producer that sent here or was assigned here or away while this process ran.
 */
final class Holdings {
    private final Map<String, Long> epochs = new ConcurrentHashMap<>();

    /** Applies an answer's transfers, each only if its epoch is later than the one known. */
    void apply(WorkerLease lease) {
        lease.revoked().forEach((producer, epoch) -> later(producer, epoch, -epoch));
        lease.granted().forEach((producer, epoch) -> later(producer, epoch, epoch));
    }

    private void later(String producer, long epoch, long signed) {
        epochs.compute(producer, (p, known) -> known == null || Math.abs(known) < epoch ? signed : known);
    }

    /**
     * On the ingest path: the epoch at which the producer moved away, or null when it may send here (and it is
     * then remembered as seen, when it was not known).
     */
    Long admit(String producer) {
        Long known = epochs.get(producer);
        if (known == null) {
            epochs.putIfAbsent(producer, 0L);
            return null;
        }
        return known < 0 ? -known : null;
    }

    /** The producers held here, with the epoch of their grant (0 when seen without one). */
    Map<String, Long> held() {
        Map<String, Long> held = new HashMap<>();
        epochs.forEach((producer, epoch) -> {
            if (epoch >= 0) {
                held.put(producer, epoch);
            }
        });
        return held;
    }
}
