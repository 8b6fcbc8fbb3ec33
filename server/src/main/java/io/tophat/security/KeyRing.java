package io.tophat.security;

import io.tophat.protocol.KeyGrant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The consumer keys a process knows, by hash, immutable. Its {@link #version} is a fingerprint of its content, so
 * that balancers sharing one state name the same set alike and a worker can say which set it holds.
 */
public final class KeyRing {
    public static final KeyRing EMPTY = new KeyRing(List.of());

    private final Map<String, ConsumerKey> byHash = new HashMap<>();
    private final List<ConsumerKey> keys;
    private final long version;

    public KeyRing(Collection<ConsumerKey> keys) {
        this.keys = keys.stream().sorted(Comparator.comparing(ConsumerKey::name)).toList();
        this.keys.forEach(k -> byHash.put(k.hash(), k));
        this.version = this.keys.isEmpty() ? 0 : fingerprint(this.keys);
    }

    /** The keys named in lease answers; a grant that is not a valid key is left out. */
    public static KeyRing ofGrants(List<KeyGrant> grants) {
        List<ConsumerKey> keys = new java.util.ArrayList<>();
        for (KeyGrant g : grants) {
            try {
                keys.add(ConsumerKey.of(g));
            } catch (IllegalArgumentException e) {
                // a balancer of a later version may know scopes this one does not: that key is refused here
            }
        }
        return new KeyRing(keys);
    }

    /** The key a consumer presented, or null. */
    public ConsumerKey find(String presented) {
        if (keys.isEmpty() || !ConsumerKey.looksLikeKey(presented)) {
            return null;
        }
        return byHash.get(ConsumerKey.hash(presented));
    }

    public ConsumerKey named(String name) {
        for (ConsumerKey k : keys) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The keys, by name. */
    public List<ConsumerKey> keys() {
        return keys;
    }

    public List<KeyGrant> grants() {
        return keys.stream().map(ConsumerKey::grant).toList();
    }

    public long version() {
        return version;
    }

    /** This ring with the key named {@code name} replaced by {@code key}, or removed when it is null. */
    public KeyRing replacing(String name, ConsumerKey key) {
        List<ConsumerKey> next = new java.util.ArrayList<>();
        for (ConsumerKey k : keys) {
            if (!k.name().equals(name)) {
                next.add(k);
            }
        }
        if (key != null) {
            next.add(key);
        }
        return new KeyRing(next);
    }

    /** This ring with the keys of {@code other} as well (a worker's keys from all its balancers). */
    public KeyRing with(KeyRing other) {
        if (other.keys.isEmpty()) {
            return this;
        }
        Map<String, ConsumerKey> all = new HashMap<>();
        keys.forEach(k -> all.put(k.hash(), k));
        other.keys.forEach(k -> all.putIfAbsent(k.hash(), k));
        return new KeyRing(all.values());
    }

    private static long fingerprint(List<ConsumerKey> keys) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (ConsumerKey k : keys) {
                digest.update(k.grant().toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            byte[] d = digest.digest();
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v == 0 ? 1 : v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
