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

    /** Where a heartbeat is in its producer's history: its time, then its key among heartbeats of that time. */
    public record Position(long time, long key) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            int byTime = Long.compare(time, o.time);
            return byTime != 0 ? byTime : Long.compare(key, o.key);
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
