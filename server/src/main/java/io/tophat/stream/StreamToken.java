package io.tophat.stream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a stream is, as an opaque resume token: for each store, the commit key of the last heartbeat delivered from
 * it. Commit keys grow with every commit of a store, so a stream resumed from a token replays, store by store,
 * exactly what was committed after it: no gap, no duplicate. A worker's stream names its own store; the balancer's
 * names every store its workers hold, and a worker given the balancer's token continues from its own store's entry.
 */
public record StreamToken(SortedMap<String, Long> positions) {
    private static final String VERSION = "s1";
    public static final StreamToken EMPTY = new StreamToken(new TreeMap<>());

    public StreamToken {
        positions = Collections.unmodifiableSortedMap(new TreeMap<>(positions));
    }

    /** The key after which {@code store} continues, or -1 when the token does not name it (start from now). */
    public long keyIn(String store) {
        Long key = positions.get(store);
        return key == null ? -1 : key;
    }

    /** This token with {@code store} at {@code key}; this very token when nothing changes. */
    public StreamToken with(String store, long key) {
        Long held = positions.get(store);
        if (held != null && held == key) {
            return this;
        }
        TreeMap<String, Long> next = new TreeMap<>(positions);
        next.put(store, key);
        return new StreamToken(next);
    }

    public String encode() {
        StringBuilder text = new StringBuilder(VERSION);
        for (Map.Entry<String, Long> e : positions.entrySet()) {
            text.append('|').append(e.getKey()).append('=').append(e.getValue());
        }
        return encode(text);
    }

    /** The token of one store at {@code key}, without building a map (a worker's stream writes one per event). */
    public static String encodeOne(String store, long key) {
        return encode(new StringBuilder(VERSION.length() + store.length() + 22).append(VERSION).append('|')
                .append(store).append('=').append(key));
    }

    private static String encode(CharSequence text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code token} is not one a stream of this version gave */
    public static StreamToken decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = text.split("\\|", -1);
            if (!VERSION.equals(parts[0])) {
                throw new BadToken("unknown version");
            }
            TreeMap<String, Long> positions = new TreeMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].lastIndexOf('=');
                if (eq <= 0) {
                    throw new BadToken("a position without a store");
                }
                long key = Long.parseLong(parts[i].substring(eq + 1));
                if (key < 0) {
                    throw new BadToken("a negative commit key");
                }
                positions.put(parts[i].substring(0, eq), key);
            }
            return new StreamToken(positions);
        } catch (BadToken e) {
            throw new IllegalArgumentException("not a resume token a stream gave (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            // the JDK's messages quote the token back (Long.parseLong) or name a byte of it (Base64): our words
            throw new IllegalArgumentException("not a resume token a stream gave (" + (e instanceof NumberFormatException
                    ? "a commit key is not a number" : "it is not base64url text") + ")", e);
        }
    }

    /** A token that decodes but is not one a stream gave; its message is ours. */
    private static final class BadToken extends IllegalArgumentException {
        BadToken(String why) {
            super(why);
        }
    }
}
