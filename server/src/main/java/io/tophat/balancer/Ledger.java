package io.tophat.balancer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per worker id, independent of the worker's membership: how many producers are assigned to it, and the
 * producers moved to or from it since it last renewed its lease (so it can fence off producers that left).
 */
final class Ledger {
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();
    /** worker id -> producer -> epoch of the move; negative when the producer moved away. */
    private final Map<String, Map<String, Long>> transfers = new ConcurrentHashMap<>();

    /** Records a producer remembered from the state file. */
    void restore(Assignment assignment) {
        count(assignment.workerId()).incrementAndGet();
    }

    /** Records a move of {@code next.producer()} from {@code previous} (may be null) to {@code next.workerId()}. */
    void moved(Assignment previous, Assignment next) {
        if (previous != null) {
            count(previous.workerId()).decrementAndGet();
            outbox(previous.workerId()).put(previous.producer(), -next.epoch());
        }
        count(next.workerId()).incrementAndGet();
        outbox(next.workerId()).put(next.producer(), next.epoch());
    }

    int held(String workerId) {
        AtomicInteger n = held.get(workerId);
        return n == null ? 0 : n.get();
    }

    /** Moves the worker's pending transfers into {@code granted} and {@code revoked}. */
    void takeTransfers(String workerId, Map<String, Long> granted, Map<String, Long> revoked) {
        Map<String, Long> box = transfers.get(workerId);
        if (box == null) {
            return;
        }
        for (Map.Entry<String, Long> e : new HashMap<>(box).entrySet()) {
            if (box.remove(e.getKey(), e.getValue())) {
                if (e.getValue() >= 0) {
                    granted.put(e.getKey(), e.getValue());
                } else {
                    revoked.put(e.getKey(), -e.getValue());
                }
            }
        }
    }

    private AtomicInteger count(String workerId) {
        return held.computeIfAbsent(workerId, id -> new AtomicInteger());
    }

    private Map<String, Long> outbox(String workerId) {
        return transfers.computeIfAbsent(workerId, id -> new ConcurrentHashMap<>());
    }
}
