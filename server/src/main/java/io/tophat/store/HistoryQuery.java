package io.tophat.store;

/**
 * A page of a producer's history: heartbeats with {@code from <= time < to}, in time order (ties by key), after
 * {@code after} in that order when given, at most {@code limit} of them.
 *
 * @param producer   whose heartbeats
 * @param from       the first time included, ms since the epoch
 * @param to         the first time excluded
 * @param descending newest first
 * @param after      the position of the last heartbeat already read, or null to start at the range's edge
 * @param limit      the most heartbeats in the page, at least 1
 */
public record HistoryQuery(String producer, long from, long to, boolean descending, Position after, int limit) {

    /**
     * Where a heartbeat is in its producer's history: its time, then its seq ({@link #NO_SEQ} when it has none, so
     * those come last), then its key in its store (unique, never changing).
     */
    public record Position(long time, long seq, long key) implements Comparable<Position> {
        public static final long NO_SEQ = Long.MAX_VALUE;

        @Override
        public int compareTo(Position o) {
            int c = Long.compare(time, o.time);
            if (c == 0) {
                c = Long.compare(seq, o.seq);
            }
            return c != 0 ? c : Long.compare(key, o.key);
        }
    }

    public HistoryQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit is " + limit + "; it must be at least 1");
        }
    }

    /** True when {@code p} comes after {@code after} in this query's order (always, without a position). */
    public boolean isAfter(Position p) {
        if (after == null) {
            return true;
        }
        int c = p.compareTo(after);
        return descending ? c < 0 : c > 0;
    }

    /** The same query continuing after {@code last}. */
    public HistoryQuery continuing(Position last) {
        return new HistoryQuery(producer, from, to, descending, last, limit);
    }
}
