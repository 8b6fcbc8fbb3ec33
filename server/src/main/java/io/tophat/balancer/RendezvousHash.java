package io.tophat.balancer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Rendezvous (highest random weight) hashing with bounded load: a producer goes to the worker with the
 * highest hash of (producer, worker) among those holding fewer than {@code ceil((1 + balance) * average)}
 * producers. Balancers that see the same live workers choose the same worker without talking, and when a
 * worker dies only its producers move.
 */
public final class RendezvousHash implements AssignmentStrategy {
    private final double balance;

    public RendezvousHash(double balance) {
        if (!(balance > 0)) {
            throw new IllegalArgumentException("--hash-balance must be above 0, not " + balance);
        }
        this.balance = balance;
    }

    @Override
    public Member choose(String producer, List<Member> candidates, ToIntFunction<String> held) {
        long total = 1;
        for (Member m : candidates) {
            total += held.applyAsInt(m.id());
        }
        long bound = (long) Math.ceil((1 + balance) * total / candidates.size());
        Member best = null;
        Member bestUnbounded = null;
        long bestScore = Long.MIN_VALUE;
        long bestUnboundedScore = Long.MIN_VALUE;
        for (Member m : candidates) {
            long score = score(producer, m.id());
            if (score > bestUnboundedScore) {
                bestUnboundedScore = score;
                bestUnbounded = m;
            }
            if (held.applyAsInt(m.id()) < bound && score > bestScore) {
                bestScore = score;
                best = m;
            }
        }
        return best != null ? best : bestUnbounded;
    }

    /** A 64-bit FNV-1a hash of producer and worker, finished with a mixer so scores spread well. */
    static long score(String producer, String workerId) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, producer.getBytes(StandardCharsets.UTF_8));
        h = fnv(h, new byte[]{0});
        h = fnv(h, workerId.getBytes(StandardCharsets.UTF_8));
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String name() {
        return "hash";
    }
}
