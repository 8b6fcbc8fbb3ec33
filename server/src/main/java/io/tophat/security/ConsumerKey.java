package io.tophat.security;

import io.tophat.protocol.KeyGrant;
import io.tophat.protocol.ProducerId;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named consumer key: the hash of the key a consumer presents (the key itself is shown once, when made, and
 * kept nowhere) and what it reaches.
 */
public record ConsumerKey(String name, String hash, KeyScope scope, long createdAt) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String PREFIX = "thk_";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    });

    public ConsumerKey {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code name} cannot name a key, or null. */
    public static String nameProblem(String name) {
        return name != null && NAME.matcher(name).matches() ? null
                : "a key's name is 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'";
    }

    /** A new random key (to show once) for {@link #issued}. */
    public static String newKey() {
        byte[] bytes = new byte[24];
        Secrets.Random.SOURCE.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The key named {@code name} whose secret part is {@code key}. */
    public static ConsumerKey issued(String name, String key, KeyScope scope, long now) {
        return new ConsumerKey(name, hash(key), scope, now);
    }

    /** The SHA-256 of a presented key, in lowercase hex. */
    public static String hash(String key) {
        MessageDigest digest = SHA256.get();
        return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a presented credential looks like a consumer key (and is worth hashing). */
    static boolean looksLikeKey(String credential) {
        return credential.startsWith(PREFIX) && credential.length() == PREFIX.length() + 32;
    }

    public KeyGrant grant() {
        List<String> ops = new ArrayList<>();
        for (Op op : Op.values()) {
            if (scope.can(op)) {
                ops.add(op.flag());
            }
        }
        return new KeyGrant(name, hash, scope.producers().stream().sorted().toList(), scope.prefixes(), ops,
                scope.rate().perSecond(), createdAt);
    }

    /**
     * The key a grant describes.
     *
     * @throws IllegalArgumentException when the grant is not a valid key
     */
    public static ConsumerKey of(KeyGrant grant) {
        if (grant.hash() == null || !grant.hash().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a key's hash is 64 lowercase hex digits");
        }
        return new ConsumerKey(grant.name(), grant.hash(), scope(grant.producers(), grant.prefixes(), grant.ops(),
                grant.rate()), grant.createdAt());
    }

    /** A scope from its parts as the API and the command line give them; each mistake an IllegalArgumentException. */
    public static KeyScope scope(List<String> producers, List<String> prefixes, List<String> ops, double rate) {
        for (String id : producers) {
            String problem = ProducerId.problem(id);
            if (problem != null) {
                throw new IllegalArgumentException("producers: " + problem);
            }
        }
        Set<Op> operations = EnumSet.noneOf(Op.class);
        for (String op : ops) {
            operations.add(Op.named(op));
        }
        return new KeyScope(Set.copyOf(producers), prefixes, ops.isEmpty() ? Op.DEFAULT : operations,
                new RateLimit(rate, Math.max(1, (int) Math.min(1_000_000, Math.ceil(rate * 2)))));
    }
}
