package io.tophat.worker;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.stream.StreamEvent;
import io.tophat.stream.StreamToken;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's live streams: every batch the writer commits goes to the subscriptions that follow its producers,
 * each heartbeat encoded once for all of them, one task per subscription and batch on the subscription's event
 * loop. Only committed heartbeats are published, and a retry of a producer's latest heartbeat (the same seq),
 * which the store keeps once, is not published again. For a store other workers share, what every worker
 * committed comes from a {@link StoreTail} instead.
 */
final class StreamHub {
    private final String store;
    private final LatestCache latest;
    /** True when the store is shared: its commits come from a {@link StoreTail}, not from this worker's writer. */
    private final boolean tailed;
    private final List<StreamSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong lagged = new AtomicLong();
    /** The commit key of the last heartbeat published (the store's when the worker started, before any). */
    private volatile long committed;

    StreamHub(String store, LatestCache latest, boolean tailed) {
        this.store = store;
        this.latest = latest;
        this.tailed = tailed;
    }

    String store() {
        return store;
    }

    void add(StreamSubscription subscription) {
        subscriptions.add(subscription);
    }

    void remove(StreamSubscription subscription) {
        subscriptions.remove(subscription);
    }

    int subscribers() {
        return subscriptions.size();
    }

    void countLagged() {
        lagged.incrementAndGet();
    }

    long laggedTotal() {
        return lagged.get();
    }

    /** The commit key of the last heartbeat committed that this hub knows of: its store's at least that far. */
    long committed() {
        return committed;
    }

    /** Sets where the store stood when the worker started, before it takes heartbeats. */
    void committedThrough(long key) {
        committed = key;
    }

    /**
     * Publishes a committed batch whose first heartbeat has commit key {@code firstKey}, on the writer thread,
     * before the batch's heartbeats enter the latest cache.
     */
    void publish(List<Heartbeat> batch, long firstKey) {
        committed = Math.max(committed, firstKey + batch.size() - 1);
        if (tailed || subscriptions.isEmpty()) {
            return; // the writer's hot path: nothing to build for nobody
        }
        deliver(batch.size(), batch::get, i -> firstKey + i, true);
    }

    /** Publishes what the {@link StoreTail} read from a shared store, in commit order (retries are not stored). */
    void publishStored(List<io.tophat.store.StoredHeartbeat> page) {
        committed = Math.max(committed, page.get(page.size() - 1).position().key());
        deliver(page.size(), i -> page.get(i).heartbeat(), i -> page.get(i).position().key(), false);
    }

    /** Hands each subscription the events of its producers among {@code n} heartbeats, each encoded once. */
    private void deliver(int n, java.util.function.IntFunction<Heartbeat> heartbeat,
                         java.util.function.IntToLongFunction key, boolean skipRetries) {
        if (subscriptions.isEmpty()) {
            return;
        }
        StreamEvent[] events = new StreamEvent[n];
        for (StreamSubscription sub : subscriptions) {
            List<StreamEvent> theirs = null;
            for (int i = 0; i < n; i++) {
                Heartbeat hb = heartbeat.apply(i);
                if (!sub.filter().matches(hb.producer())) {
                    continue;
                }
                if (events[i] == null) {
                    if (skipRetries && isRetry(hb)) {
                        continue;
                    }
                    long k = key.applyAsLong(i);
                    events[i] = new StreamEvent(hb.producer(), k, StreamToken.encodeOne(store, k),
                            new String(HeartbeatJson.encode(hb), StandardCharsets.UTF_8));
                }
                if (theirs == null) {
                    theirs = new ArrayList<>();
                }
                theirs.add(events[i]);
            }
            if (theirs != null) {
                sub.live(theirs);
            }
        }
    }

    /** A heartbeat repeating its producer's latest seq: the store keeps the first only. */
    private boolean isRetry(Heartbeat hb) {
        if (hb.seq() == null) {
            return false;
        }
        Heartbeat held = latest.get(hb.producer());
        return held != null && held != hb && hb.seq().equals(held.seq());
    }
}
