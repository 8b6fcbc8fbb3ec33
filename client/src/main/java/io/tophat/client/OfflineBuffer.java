package io.tophat.client;

import java.util.ArrayDeque;

/**
 * The heartbeats a producer has made but no worker has answered yet, oldest first. Bounded: adding when
 * {@code capacity} heartbeats already wait drops the oldest waiting one, because a phone's newest position
 * matters most. The heartbeat being sent (claimed) is never dropped and does not count against the capacity.
 */
final class OfflineBuffer {
    private final int capacity;
    private final ArrayDeque<OutgoingHeartbeat> pending;
    private OutgoingHeartbeat claimed;
    private long dropped;

    OfflineBuffer(int capacity) {
        this.capacity = capacity;
        this.pending = new ArrayDeque<>(Math.min(capacity, 64) + 1);
    }

    /** Appends a heartbeat; returns the oldest waiting one it had to drop to make room, or null. */
    synchronized OutgoingHeartbeat add(OutgoingHeartbeat heartbeat) {
        OutgoingHeartbeat evicted = null;
        if (pending.size() - (claimed == null ? 0 : 1) >= capacity) {
            if (claimed == null) {
                evicted = pending.pollFirst();
            } else {
                OutgoingHeartbeat head = pending.pollFirst();
                evicted = pending.pollFirst();
                pending.addFirst(head);
            }
            dropped++;
        }
        pending.addLast(heartbeat);
        return evicted;
    }

    /** The oldest heartbeat, or null when none waits. */
    synchronized OutgoingHeartbeat peek() {
        return pending.peekFirst();
    }

    /** Marks the oldest heartbeat as being sent, so that it is not dropped meanwhile; returns it, or null. */
    synchronized OutgoingHeartbeat claimHead() {
        claimed = pending.peekFirst();
        return claimed;
    }

    /** The claimed heartbeat was answered: removes it. */
    synchronized void settle(OutgoingHeartbeat heartbeat) {
        if (pending.peekFirst() == heartbeat) {
            pending.pollFirst();
        }
        claimed = null;
    }

    /** The claimed heartbeat was not answered: it stays first in line, and may be dropped again. */
    synchronized void release() {
        claimed = null;
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized long dropped() {
        return dropped;
    }
}
