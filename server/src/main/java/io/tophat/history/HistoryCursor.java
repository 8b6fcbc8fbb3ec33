package io.tophat.history;

import io.tophat.store.HistoryQuery;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a history page ended, as an opaque token: the last heartbeat's time, seq and key in its store, and that
 * store's identity. Across stores heartbeats are ordered by (time, seq, store, key), and a heartbeat stored in two
 * stores (a retry after a failover) is one heartbeat: the same (time, seq) is answered once. So one cursor serves
 * a single worker (its own store) and the balancer's merge of several alike: each store continues from
 * {@link #positionIn}.
 */
public record HistoryCursor(long time, long seq, long key, String store) {
    private static final String VERSION = "1";

    public String encode() {
        String text = VERSION + "|" + time + "|" + seq + "|" + key + "|" + store;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code token} is not a cursor this version wrote */
    public static HistoryCursor decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = text.split("\\|", 5);
            if (parts.length != 5 || !VERSION.equals(parts[0])) {
                throw new IllegalArgumentException("not a history cursor");
            }
            return new HistoryCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]),
                    parts[4]);
        } catch (IllegalArgumentException e) {
            // the JDK's messages quote the token back (Long.parseLong) or name a byte of it (Base64): our words
            String why = e instanceof NumberFormatException ? "a position in it is not a number"
                    : "not a history cursor".equals(e.getMessage()) ? e.getMessage() : "it is not base64url text";
            throw new IllegalArgumentException("cursor is not a token a history answer gave (" + why + ")", e);
        }
    }

    /**
     * The position in {@code storeId} after which its heartbeats continue this cursor's order: after every
     * heartbeat of the cursor's (time, seq), since any other is a copy (in another store, or a retry not yet
     * merged in this one). A cursor without seq: right after it in its own store; a store ranked after the
     * cursor's continues with the seq-less heartbeats of its time, one ranked before it after them.
     */
    public HistoryQuery.Position positionIn(String storeId, boolean descending) {
        if (seq != HistoryQuery.Position.NO_SEQ) {
            // every other heartbeat of this (time, seq) is a copy: in another store, or a retry not merged yet
            return new HistoryQuery.Position(time, seq, descending ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        int c = storeId.compareTo(store);
        if (c == 0) {
            return new HistoryQuery.Position(time, seq, key);
        }
        return new HistoryQuery.Position(time, seq, c > 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
    }
}
