package io.tophat.store;

import java.util.Arrays;

/**
 * One producer's heartbeats in the inbox not yet merged into the history: the ids of all of them, oldest
 * first, so that a history read looks those rows up by id instead of scanning the whole inbox, and the newest
 * of them (a retry, or a row stamped a millisecond earlier on another event loop, never replaces it). Added to
 * by the ingest writer, pruned by the merger, read by any thread.
 */
final class UnmergedRows {
    private long[] ids = new long[4];
    private int start;
    private int end;
    private InboxRef newest;

    synchronized UnmergedRows add(InboxRef row) {
        if (end == ids.length) {
            int live = end - start;
            long[] grown = live * 2 > ids.length ? new long[ids.length * 2] : ids;
            System.arraycopy(ids, start, grown, 0, live);
            ids = grown;
            start = 0;
            end = live;
        }
        ids[end++] = row.id();
        if (newest == null || row.supersedes(newest)) {
            newest = row;
        }
        return this;
    }

    /** The newest row added; once merged it stays until a newer one comes or every row is merged. */
    synchronized InboxRef newest() {
        return newest;
    }

    /** Forgets the rows up to {@code mergedThrough}; true when none is left. */
    synchronized boolean dropThrough(long mergedThrough) {
        while (start < end && ids[start] <= mergedThrough) {
            start++;
        }
        return start == end;
    }

    /** Every id still held. */
    synchronized java.util.Set<Long> ids() {
        java.util.Set<Long> all = new java.util.HashSet<>();
        for (int i = start; i < end; i++) {
            all.add(ids[i]);
        }
        return all;
    }

    /** The ids above {@code afterId} as a JSON array, or null when there is none. */
    synchronized String jsonAfter(long afterId) {
        int from = start;
        while (from < end && ids[from] <= afterId) {
            from++;
        }
        if (from == end) {
            return null;
        }
        return Arrays.toString(Arrays.copyOfRange(ids, from, end)).replace(" ", "");
    }
}
