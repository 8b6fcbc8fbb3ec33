package io.tophat.balancer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store identities workers have claimed, each with a hash of the proof (the secret written in the store when
 * it was created) that came with the first claim. A later claim of the same identity must bring the same proof,
 * so no registrant can pose as another worker's store and be sent its consumers when that worker dies; and a store
 * that is not shared is held by one live worker at a time.
 */
final class StoreClaims {

    /** A claimed store: the SHA-256 of its proof, hex, and whether several workers may share it. */
    record Claim(String identity, String proofSha256, boolean shared, long claimedAt) {
    }

    /** Why a claim is refused, for a 409. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, Claim> claims = new ConcurrentHashMap<>();

    void restore(Claim claim) {
        claims.put(claim.identity(), claim);
    }

    /**
     * Checks a worker's claim of {@code identity}; returns the claim to persist when it is the first, else null.
     *
     * @throws Refused when the proof differs from the first claim's, or another live worker holds an unshared store
     */
    Claim check(String workerId, String identity, String proof, boolean shared, Membership members) {
        String named = io.tophat.http.WireText.echo(identity);
        if (proof == null || proof.isBlank()) {
            throw new Refused("store " + named + " came without store_proof; a worker proves its store with the "
                    + "secret written in it at creation");
        }
        String hash = sha256(proof);
        Claim known = claims.get(identity);
        if (known != null && !MessageDigest.isEqual(known.proofSha256().getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("store " + named + " was registered with another proof: this is not that store");
        }
        boolean isShared = known == null ? shared : known.shared();
        if (!isShared) {
            for (Member m : members.all()) {
                if (m.alive() && !m.id().equals(workerId) && identity.equals(m.worker().store())) {
                    throw new Refused("store " + named + " is held by the live worker " + m.id()
                            + "; a store that is not shared serves one worker at a time");
                }
            }
        }
        if (known != null) {
            return null;
        }
        Claim claim = new Claim(identity, hash, shared, System.currentTimeMillis());
        claims.put(identity, claim);
        return claim;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
