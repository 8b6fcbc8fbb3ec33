package io.tophat.client;

import java.util.ArrayDeque;

/**
 * The heartbeats a producer has made but no worker has answered yet, oldest first. Bounded: adding to a full
 * buffer drops the oldest heartbeat, because a phone's newest position matters most.
 */
final class OfflineBuffer {
    private final int capacity;
    private final ArrayDeque<OutgoingHeartbeat> pending;
    private long dropped;

    OfflineBuffer(int capacity) {
        this.capacity = capacity;
        this.pending = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /** Appends a heartbeat; returns the oldest one it had to drop to make room, or null. */
    synchronized OutgoingHeartbeat add(OutgoingHeartbeat heartbeat) {
        OutgoingHeartbeat evicted = null;
        if (pending.size() >= capacity) {
            evicted = pending.pollFirst();
            dropped++;
        }
        pending.addLast(heartbeat);
        return evicted;
    }

    /** The oldest waiting heartbeat, or null when none waits. */
    synchronized OutgoingHeartbeat peek() {
        return pending.peekFirst();
    }

    /** Removes the oldest heartbeat if it is {@code expected} (it may have been dropped meanwhile). */
    synchronized boolean removeFirst(OutgoingHeartbeat expected) {
        if (pending.peekFirst() == expected) {
            pending.pollFirst();
            return true;
        }
        return false;
    }

    synchronized boolean contains(OutgoingHeartbeat heartbeat) {
        for (OutgoingHeartbeat h : pending) {
            if (h == heartbeat) {
                return true;
            }
        }
        return false;
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized long dropped() {
        return dropped;
    }
}
