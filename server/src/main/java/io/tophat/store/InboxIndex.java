package io.tophat.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the store knows in memory about the inbox rows not yet merged into the history: each producer's unmerged
 * rows (their ids and the newest), the newest unmerged row at each location label, the last id appended and the
 * id through which rows are merged. The ingest writer adds to it, the merger prunes it, readers consult it.
 */
final class InboxIndex {
    private final Map<String, UnmergedRows> byProducer = new ConcurrentHashMap<>();
    private final Map<String, InboxRef> byLabel = new ConcurrentHashMap<>();
    private volatile long lastAppended;
    private volatile long mergedThrough;

    InboxIndex(long mergedThrough) {
        this.mergedThrough = mergedThrough;
    }

    void add(String producer, String label, InboxRef ref) {
        byProducer.compute(producer, (key, rows) -> (rows == null ? new UnmergedRows() : rows).add(ref));
        if (label != null) {
            byLabel.merge(label, ref, (held, fresh) -> fresh.time() >= held.time() ? fresh : held);
        }
    }

    /** The producer's newest unmerged row, or null. */
    InboxRef newest(String producer) {
        UnmergedRows rows = byProducer.get(producer);
        return rows == null ? null : rows.newest();
    }

    /** The newest unmerged row at the label, or null. */
    InboxRef atLabel(String label) {
        return byLabel.get(label);
    }

    /** The producer's unmerged ids after {@code merged} as a JSON array, or null when it has none. */
    String unmergedJson(String producer, long merged) {
        UnmergedRows rows = byProducer.get(producer);
        return rows == null ? null : rows.jsonAfter(merged);
    }

    /**
     * The ids in {@code (from, to]} that are their producer's newest unmerged row, as a JSON array. A producer
     * whose newest row came after {@code to} gets its latest in a later merge; reads meanwhile find it here.
     */
    String newestIdsIn(long from, long to) {
        StringBuilder ids = new StringBuilder(12 * byProducer.size() + 2).append('[');
        for (UnmergedRows rows : byProducer.values()) {
            InboxRef ref = rows.newest();
            if (ref.id() > from && ref.id() <= to) {
                ids.append(ids.length() > 1 ? "," : "").append(ref.id());
            }
        }
        return ids.append(']').toString();
    }

    /** Records that every row through {@code to} is merged, and forgets them. */
    void mergedThrough(long to) {
        mergedThrough = to;
        for (String producer : byProducer.keySet()) {
            byProducer.computeIfPresent(producer, (key, rows) -> rows.dropThrough(to) ? null : rows);
        }
        byLabel.values().removeIf(ref -> ref.id() <= to);
    }

    /** Calls {@code each} with every producer that has unmerged rows and its newest one. */
    void newestByProducer(java.util.function.BiConsumer<String, InboxRef> each) {
        byProducer.forEach((producer, rows) -> {
            InboxRef newest = rows.newest();
            if (newest != null) {
                each.accept(producer, newest);
            }
        });
    }

    /** Forgets every unmerged row of the producer (its heartbeats were erased). */
    void forget(String producer) {
        UnmergedRows rows = byProducer.remove(producer);
        if (rows != null) {
            java.util.Set<Long> ids = rows.ids();
            byLabel.values().removeIf(ref -> ids.contains(ref.id()));
        }
    }

    void appendedThrough(long last) {
        lastAppended = last;
    }

    long lastAppended() {
        return lastAppended;
    }

    long mergedThrough() {
        return mergedThrough;
    }

    /** Rows committed to the inbox and not yet merged. */
    long backlog() {
        return lastAppended - mergedThrough;
    }
}
