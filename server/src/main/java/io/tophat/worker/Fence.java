package io.tophat.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ingest path's check against every balancer's {@link Holdings}: a producer that any balancer moved away
 * is refused (409) until that balancer grants it back, so two workers never both take a producer's heartbeats.
 */
final class Fence {
    private final List<Holdings> balancers = new CopyOnWriteArrayList<>();

    void add(Holdings holdings) {
        balancers.add(holdings);
    }

    /** The epoch at which the producer moved away, or null when it may send here. */
    Long admit(String producer) {
        Long movedAt = null;
        for (Holdings h : balancers) {
            Long epoch = h.admit(producer);
            if (epoch != null) {
                movedAt = epoch;
            }
        }
        return movedAt;
    }
}
