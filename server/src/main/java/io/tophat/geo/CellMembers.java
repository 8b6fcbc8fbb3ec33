package io.tophat.geo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The producers filed under one S2 cell: an open-addressing hash set of the id strings in one array (about 6 bytes
 * a producer instead of a {@code ConcurrentHashMap} node's 40). Writers take the set's lock; readers never lock:
 * they iterate a {@link #slots()} snapshot in which no member ever moves (a removal leaves a tombstone, a growth
 * or shrink publishes a new array), so a producer filed throughout an iteration is seen exactly once. One removed
 * and filed again meanwhile may be seen twice (its old slot before the removal, a new one after): the near query
 * lists a producer once. A set that becomes empty is dead: it refuses
 * members, and its owner drops it from the cell map while still holding its lock.
 */
final class CellMembers {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(String[].class);
    /** A removed member's slot, compared by identity: probes go past it, additions may reuse it. */
    private static final String GONE = new String("gone");
    private static final int MIN_SLOTS = 4;

    private volatile String[] slots = new String[MIN_SLOTS];
    /** Members, and slots that are not null (members and tombstones); both under the lock. */
    private int live;
    private int used;
    private boolean dead;

    /** Files the producer; false when the set is dead (emptied and dropped), so the caller files it in a new one. */
    synchronized boolean add(String producer) {
        if (dead) {
            return false;
        }
        String[] s = slots;
        int mask = s.length - 1;
        int free = -1;
        for (int i = spread(producer.hashCode()) & mask; ; i = (i + 1) & mask) {
            String at = s[i];
            if (at == null) {
                if (free < 0) {
                    if ((used + 1) * 4 > s.length * 3) {
                        rehash(live + 1);
                        return addFresh(producer);
                    }
                    free = i;
                    used++;
                }
                break;
            }
            if (at == GONE) {
                if (free < 0) {
                    free = i;
                }
            } else if (at.equals(producer)) {
                return true;
            }
        }
        SLOT.setRelease(s, free, producer);
        live++;
        return true;
    }

    /** After a rehash, which left no tombstone and room to spare: the producer is not a member yet. */
    private boolean addFresh(String producer) {
        String[] s = slots;
        int mask = s.length - 1;
        int i = spread(producer.hashCode()) & mask;
        while (s[i] != null) {
            i = (i + 1) & mask;
        }
        SLOT.setRelease(s, i, producer);
        live++;
        used++;
        return true;
    }

    /**
     * Unfiles the producer; true when that emptied the set, which is then dead, and {@code onEmptied} runs under
     * its lock (the owner drops it from the cell map there, so no addition can reach it meanwhile).
     */
    synchronized boolean remove(String producer, Runnable onEmptied) {
        String[] s = slots;
        int mask = s.length - 1;
        for (int i = spread(producer.hashCode()) & mask; ; i = (i + 1) & mask) {
            String at = s[i];
            if (at == null) {
                return false;
            }
            if (at != GONE && at.equals(producer)) {
                SLOT.setRelease(s, i, GONE);
                live--;
                break;
            }
        }
        if (live == 0) {
            dead = true;
            onEmptied.run();
            return true;
        }
        if (s.length > MIN_SLOTS && live * 8 < s.length) {
            rehash(live);
        }
        return false;
    }

    /** A new array for {@code members} members at a load of at most a half, without tombstones. */
    private void rehash(int members) {
        String[] old = slots;
        int length = MIN_SLOTS;
        while (length < members * 2) {
            length <<= 1;
        }
        String[] fresh = new String[length];
        int mask = length - 1;
        int n = 0;
        for (String at : old) {
            if (at != null && at != GONE) {
                int i = spread(at.hashCode()) & mask;
                while (fresh[i] != null) {
                    i = (i + 1) & mask;
                }
                fresh[i] = at;
                n++;
            }
        }
        used = n;
        slots = fresh; // volatile: publishes the filled array
    }

    /** The array to iterate without the lock; read each slot with {@link #member}. */
    String[] slots() {
        return slots;
    }

    /** The producer at slot {@code i} of a {@link #slots()} snapshot, or null for a free or vacated slot. */
    static String member(String[] slots, int i) {
        String at = (String) SLOT.getAcquire(slots, i);
        return at == GONE ? null : at;
    }

    synchronized int size() {
        return live;
    }

    private static int spread(int h) {
        int x = h * 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
