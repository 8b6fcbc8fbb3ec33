package io.tophat.history;

import io.tophat.store.HistoryQuery;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a history page ended, as an opaque token: the last heartbeat's time, its key in its store, and that
 * store's identity. Across stores heartbeats are ordered by (time, store, key), so one cursor serves a single
 * worker (its own store) and the balancer's merge of several alike: each store continues from
 * {@link #positionIn}.
 */
public record HistoryCursor(long time, long key, String store) {
    private static final String VERSION = "1";

    public String encode() {
        String text = VERSION + "|" + time + "|" + key + "|" + store;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code token} is not a cursor this version wrote */
    public static HistoryCursor decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = text.split("\\|", 4);
            if (parts.length != 4 || !VERSION.equals(parts[0])) {
                throw new IllegalArgumentException("not a history cursor");
            }
            return new HistoryCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]), parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not a token a history answer gave (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The position in {@code storeId} after which its heartbeats continue this cursor's order: a store ranked
     * after the cursor's continues with heartbeats of the cursor's time, one ranked before it after that time.
     */
    public HistoryQuery.Position positionIn(String storeId) {
        int c = storeId.compareTo(store);
        if (c > 0) {
            return new HistoryQuery.Position(time, Long.MIN_VALUE);
        }
        if (c < 0) {
            return new HistoryQuery.Position(time, Long.MAX_VALUE);
        }
        return new HistoryQuery.Position(time, key);
    }
}
