package io.tophat.client;

import java.util.ArrayDeque;

/**
 * The heartbeats a producer has made but no worker has answered yet, oldest first. Bounded: adding when
 * {@code capacity} heartbeats already wait drops the oldest waiting one, because a phone's newest position
 * matters most. The heartbeats being sent (claimed, the oldest few) are never dropped and do not count against the
 * capacity.
 */
final class OfflineBuffer {
    private final int capacity;
    private final ArrayDeque<OutgoingHeartbeat> pending;
    private int claimed;
    private long dropped;

    OfflineBuffer(int capacity) {
        this.capacity = capacity;
        this.pending = new ArrayDeque<>(Math.min(capacity, 64) + 1);
    }

    /** Appends a heartbeat; returns the oldest waiting one it had to drop to make room, or null. */
    synchronized OutgoingHeartbeat add(OutgoingHeartbeat heartbeat) {
        OutgoingHeartbeat evicted = null;
        if (pending.size() - claimed >= capacity) {
            java.util.Deque<OutgoingHeartbeat> kept = new ArrayDeque<>(claimed);
            for (int i = 0; i < claimed; i++) {
                kept.addLast(pending.pollFirst());
            }
            evicted = pending.pollFirst();
            while (!kept.isEmpty()) {
                pending.addFirst(kept.pollLast());
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
        OutgoingHeartbeat head = pending.peekFirst();
        claimed = head == null ? 0 : 1;
        return head;
    }

    /**
     * Marks up to {@code max} of the oldest heartbeats (about {@code maxChars} of JSON at most), none with a seq
     * above {@code maxSeq}, as being sent; returns them, oldest first.
     */
    synchronized java.util.List<OutgoingHeartbeat> claimOldest(int max, long maxSeq, int maxChars) {
        java.util.List<OutgoingHeartbeat> taken = new java.util.ArrayList<>(Math.min(max, pending.size()));
        long chars = 0;
        for (OutgoingHeartbeat h : pending) {
            chars += h.data().length() + 256;
            if (taken.size() == max || h.seq() > maxSeq || (chars > maxChars && !taken.isEmpty())) {
                break;
            }
            taken.add(h);
        }
        claimed = taken.size();
        return taken;
    }

    /** Heartbeats waiting with a seq up to {@code maxSeq} (at most {@code max} counted). */
    synchronized int waitingUpTo(long maxSeq, int max) {
        int n = 0;
        for (OutgoingHeartbeat h : pending) {
            if (n == max || h.seq() > maxSeq) {
                break;
            }
            n++;
        }
        return n;
    }

    /** The claimed heartbeat was answered: removes it. */
    synchronized void settle(OutgoingHeartbeat heartbeat) {
        if (pending.peekFirst() == heartbeat) {
            pending.pollFirst();
        }
        claimed = 0;
    }

    /** The claimed heartbeats were answered: removes them. */
    synchronized void settle(java.util.List<OutgoingHeartbeat> heartbeats) {
        for (OutgoingHeartbeat h : heartbeats) {
            if (pending.peekFirst() == h) {
                pending.pollFirst();
            }
        }
        claimed = 0;
    }

    /** The claimed heartbeats were not answered: they stay first in line, and may be dropped again. */
    synchronized void release() {
        claimed = 0;
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized long dropped() {
        return dropped;
    }
}
