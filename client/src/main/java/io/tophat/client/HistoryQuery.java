package io.tophat.client;

import java.time.Instant;

/**
 * Which part of a producer's history to read: {@code from <= time < to} (null: unbounded), newest first
 * ({@code descending}) or oldest first, in pages of {@code pageSize} (1 to 10,000).
 */
public record HistoryQuery(Instant from, Instant to, boolean descending, int pageSize) {
    public static final int DEFAULT_PAGE_SIZE = 1000;

    public HistoryQuery {
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be from 1 to 10000 (was " + pageSize + ")");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
    }

    /** The whole history, oldest first. */
    public static HistoryQuery all() {
        return new HistoryQuery(null, null, false, DEFAULT_PAGE_SIZE);
    }

    public static HistoryQuery between(Instant from, Instant to) {
        return new HistoryQuery(from, to, false, DEFAULT_PAGE_SIZE);
    }

    public HistoryQuery newestFirst() {
        return new HistoryQuery(from, to, true, pageSize);
    }

    public HistoryQuery withPageSize(int size) {
        return new HistoryQuery(from, to, descending, size);
    }

    /** The query string for {@code /history}, with {@code cursor} when given. */
    String parameters(String cursor) {
        StringBuilder q = new StringBuilder("limit=").append(pageSize).append("&order=").append(descending ? "desc" : "asc");
        if (from != null) {
            q.append("&from=").append(from.toEpochMilli());
        }
        if (to != null) {
            q.append("&to=").append(to.toEpochMilli());
        }
        if (cursor != null) {
            q.append("&cursor=").append(cursor);
        }
        return q.toString();
    }
}
