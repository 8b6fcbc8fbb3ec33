package io.tophat.store;

import java.util.Arrays;

/**
 * The inbox ids of one producer's heartbeats not yet merged into the history, oldest first, so that a history
 * read looks those rows up by id instead of scanning the whole inbox. Appended by the ingest writer, pruned by
 * the merger, read by any thread.
 */
final class UnmergedIds {
    private long[] ids = new long[4];
    private int start;
    private int end;

    synchronized UnmergedIds add(long id) {
        if (end == ids.length) {
            int live = end - start;
            long[] grown = live * 2 > ids.length ? new long[ids.length * 2] : ids;
            System.arraycopy(ids, start, grown, 0, live);
            ids = grown;
            start = 0;
            end = live;
        }
        ids[end++] = id;
        return this;
    }

    /** Forgets the ids up to {@code mergedThrough}; true when none is left. */
    synchronized boolean dropThrough(long mergedThrough) {
        while (start < end && ids[start] <= mergedThrough) {
            start++;
        }
        if (start == end) {
            start = 0;
            end = 0;
            return true;
        }
        return false;
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
