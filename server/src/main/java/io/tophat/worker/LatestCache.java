package io.tophat.worker;

import io.tophat.geo.NearIndex;
import io.tophat.protocol.Heartbeat;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The latest heartbeat per key (producer id or location label), each packed as a {@link CompactRecord}.
 * Reads never lock. Bounded: beyond {@code capacity} entries a batch of entries is dropped (they stay in the
 * store, and reads fall back to it). A heartbeat only replaces one that is not newer, so a late read from
 * the store never hides a fresher write. The records it drops by eviction are told to a listener (the worker's
 * near index, which shares them: {@link #RECORDS}).
 */
public final class LatestCache {
    /** How a near index reads a position from the records {@link #offer} returns (those with coordinates). */
    public static final NearIndex.Layout RECORDS = CompactRecord.POSITIONS;

    private final int capacity;
    private final BiConsumer<String, byte[]> evicted;
    private final ConcurrentHashMap<String, byte[]> entries;
    private final ReentrantLock eviction = new ReentrantLock();
    private Iterator<String> hand;

    public LatestCache(int capacity) {
        this(capacity, (key, record) -> {
        });
    }

    /** A cache that tells {@code evicted} each key and record it drops to stay within its capacity. */
    public LatestCache(int capacity, BiConsumer<String, byte[]> evicted) {
        this.capacity = capacity;
        this.evicted = evicted;
        this.entries = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /**
     * Keeps {@code heartbeat} as the latest of {@code key} unless a newer one (or a retry of it, the same seq) is
     * held. Returns its packed record when it was kept, which must not change; null when the one held stays.
     */
    public byte[] offer(String key, Heartbeat heartbeat) {
        byte[] record = CompactRecord.encode(heartbeat);
        byte[] latest = entries.merge(key, record, (held, fresh) -> CompactRecord.supersedes(fresh, held) ? fresh : held);
        if (entries.size() > capacity) {
            evictSome();
        }
        return latest == record ? record : null;
    }

    public Heartbeat get(String key) {
        byte[] record = entries.get(key);
        return record == null ? null : CompactRecord.decode(key, record);
    }

    /** The packed record, for serving the data's JSON text without decoding the rest. */
    byte[] record(String key) {
        return entries.get(key);
    }

    /** Drops about one percent of the entries, in the map's iteration order (close to random). */
    private void evictSome() {
        if (!eviction.tryLock()) {
            return;
        }
        try {
            int drop = Math.max(1, capacity / 100);
            // counts what it dropped: the hand may name keys erased or evicted since it passed them
            for (int i = 0; i < drop && entries.size() > capacity - drop; ) {
                if (hand == null || !hand.hasNext()) {
                    hand = entries.keySet().iterator();
                    if (!hand.hasNext()) {
                        return;
                    }
                }
                String key = hand.next();
                byte[] gone = entries.remove(key);
                if (gone != null) {
                    evicted.accept(key, gone);
                    i++;
                }
            }
        } finally {
            eviction.unlock();
        }
    }

    /** Drops the older half, by time received (the report's eviction after a flush). */
    public void evictOlderHalf() {
        long[] times = new long[entries.size()];
        int n = 0;
        for (byte[] record : entries.values()) {
            if (n == times.length) {
                break;
            }
            times[n++] = CompactRecord.receivedAt(record);
        }
        if (n < 2) {
            return;
        }
        Arrays.sort(times, 0, n);
        long median = times[n / 2];
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (CompactRecord.receivedAt(e.getValue()) < median && entries.remove(e.getKey(), e.getValue())) {
                evicted.accept(e.getKey(), e.getValue());
            }
        }
    }

    /** Forgets the key's entry (its producer was erased). */
    public void remove(String key) {
        entries.remove(key);
    }

    /** Forgets every entry. */
    public void clear() {
        entries.clear();
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }
}
