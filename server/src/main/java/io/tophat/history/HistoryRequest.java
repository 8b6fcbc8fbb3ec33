package io.tophat.history;

import io.tophat.http.ApiException;
import io.tophat.http.QueryParams;
import io.vertx.core.MultiMap;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A history request as both servers read it: {@code from <= time < to} (epoch ms or ISO-8601), {@code limit} per
 * JSON page (1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}), {@code order} ({@code desc}, the
 * default, or {@code asc}), an opaque {@code cursor} from a previous page, and the format ({@code ?format=} or
 * {@code Accept}). Every mistake is a 400 naming the parameter.
 */
public record HistoryRequest(String producer, long from, long to, int limit, boolean descending, HistoryCursor cursor,
                             HistoryFormat format) {
    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 1000;

    public static HistoryRequest parse(String producer, MultiMap query, String accept) {
        long from = time(query.get("from"), "from", Long.MIN_VALUE);
        long to = time(query.get("to"), "to", Long.MAX_VALUE);
        if (from >= to) {
            throw ApiException.badRequest("invalid range", "from must be before to");
        }
        int limit = QueryParams.limit(query.get("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        String order = query.get("order");
        boolean descending = true;
        if (order != null && !order.isEmpty()) {
            if (!order.equals("asc") && !order.equals("desc")) {
                throw ApiException.badRequest("invalid order", "order must be asc or desc");
            }
            descending = order.equals("desc");
        }
        HistoryCursor cursor = null;
        String rawCursor = query.get("cursor");
        if (rawCursor != null && !rawCursor.isEmpty()) {
            try {
                cursor = HistoryCursor.decode(rawCursor);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid cursor", e.getMessage());
            }
        }
        HistoryFormat format;
        try {
            format = HistoryFormat.choose(query.get("format"), accept);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid format", e.getMessage());
        }
        return new HistoryRequest(producer, from, to, limit, descending, cursor, format);
    }

    /**
     * What a consumer key needs for this history request: {@code export} for a whole-range format (NDJSON, CSV,
     * GeoJSON), {@code read} for JSON pages (and for a request whose format is wrong, which is answered 400).
     */
    public static io.tophat.security.Op operation(io.vertx.ext.web.RoutingContext rc) {
        try {
            return HistoryFormat.choose(rc.queryParams().get("format"), rc.request().getHeader("Accept")) == HistoryFormat.JSON
                    ? io.tophat.security.Op.READ : io.tophat.security.Op.EXPORT;
        } catch (IllegalArgumentException e) {
            return io.tophat.security.Op.READ;
        }
    }

    /** Epoch milliseconds, or an ISO-8601 instant or offset date-time. */
    public static long time(String value, String name, long fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notMillis) {
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException notInstant) {
                try {
                    return OffsetDateTime.parse(value).toInstant().toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e) {
                    throw ApiException.badRequest("invalid " + name, name + " must be milliseconds since the epoch or "
                            + "an ISO-8601 time such as 2026-12-01T10:00:00Z, not '" + io.tophat.http.WireText.echo(value) + "'");
                }
            } catch (ArithmeticException e) {
                throw ApiException.badRequest("invalid " + name, name + " is out of range");
            }
        }
    }
}
