package io.tophat.worker;

import io.tophat.protocol.Heartbeat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest heartbeat per key (producer id or location label), bounded: beyond {@code capacity} entries the
 * least recently used one is dropped (it stays in the store). A heartbeat only replaces a newer one's place
 * if it is not older, so a late read from the store never hides a fresher write.
 */
public final class LatestCache {
    private final int capacity;
    private final LinkedHashMap<String, Heartbeat> entries;

    public LatestCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Heartbeat> eldest) {
                return size() > LatestCache.this.capacity;
            }
        };
    }

    /** Keeps {@code heartbeat} as the latest of {@code key} unless a newer one is held. */
    public synchronized void offer(String key, Heartbeat heartbeat) {
        Heartbeat held = entries.get(key);
        if (held == null || held.receivedAt() <= heartbeat.receivedAt()) {
            entries.put(key, heartbeat);
        }
    }

    public synchronized Heartbeat get(String key) {
        return entries.get(key);
    }

    /** Drops the least recently used half (the report's eviction after a flush). */
    public synchronized void evictOlderHalf() {
        int drop = entries.size() / 2;
        Iterator<?> it = entries.keySet().iterator();
        for (int i = 0; i < drop; i++) {
            it.next();
            it.remove();
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }
}
