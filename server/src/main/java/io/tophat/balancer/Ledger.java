package io.tophat.balancer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Per worker id, independent of the worker's membership: how many producers are assigned to it, and the
 * producers moved to or from it that it has not yet acknowledged (so it can fence off producers that left).
 *
 * <p>A transfer stays in the worker's outbox, and in every lease answer, until the worker sends back the
 * {@link Outbox#ackToken() token} of an answer that carried it. So a lease answer that is lost, read by another
 * caller, or repeated never loses a revocation: the worker gets it again in its next answer. Each entry is
 * numbered from one counter per balancer run; the token names the run and the highest number the answer
 * carried, so a token from before a restart acknowledges nothing.
 */
final class Ledger {
    /** One transfer: signed epoch (negative when the producer moved away), and its number in this run. */
    private record Entry(long signedEpoch, long number) {
    }

    /** What a lease answer carries: the unacknowledged transfers and the token that acknowledges them. */
    record Outbox(Map<String, Long> granted, Map<String, Long> revoked, String ackToken) {
    }

    private final String run = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    private final Map<String, Integer> held = new HashMap<>();
    private final Map<String, Map<String, Entry>> transfers = new HashMap<>();
    private long numbered;

    /** Records a producer remembered from the state file. */
    synchronized void restore(Assignment assignment) {
        held.merge(assignment.workerId(), 1, Integer::sum);
    }

    /** Records a move of {@code next.producer()} from {@code previous} (may be null) to {@code next.workerId()}. */
    synchronized void moved(Assignment previous, Assignment next) {
        if (previous != null) {
            held.merge(previous.workerId(), -1, Integer::sum);
            if (!previous.workerId().equals(next.workerId())) {
                revoke(previous.workerId(), previous.producer(), next.epoch());
            }
        }
        held.merge(next.workerId(), 1, Integer::sum);
        grant(next.workerId(), next.producer(), next.epoch());
    }

    /** The producer was erased: it no longer counts on its worker. */
    synchronized void released(Assignment assignment) {
        held.merge(assignment.workerId(), -1, Integer::sum);
    }

    /** Tells the worker again that {@code producer} is not its own since {@code epoch}. */
    synchronized void revoke(String workerId, String producer, long epoch) {
        outbox(workerId).put(producer, new Entry(-epoch, ++numbered));
    }

    /** Tells the worker again that {@code producer} is its own at {@code epoch}. */
    synchronized void grant(String workerId, String producer, long epoch) {
        outbox(workerId).put(producer, new Entry(epoch, ++numbered));
    }

    synchronized int held(String workerId) {
        return held.getOrDefault(workerId, 0);
    }

    /**
     * Drops the transfers {@code ack} acknowledges (a token this run issued), then returns what is left for the
     * worker, with the token that acknowledges it.
     */
    synchronized Outbox outbox(String workerId, String ack) {
        Map<String, Entry> box = transfers.get(workerId);
        long through = acknowledged(ack);
        Map<String, Long> granted = new HashMap<>();
        Map<String, Long> revoked = new HashMap<>();
        if (box != null) {
            for (Iterator<Map.Entry<String, Entry>> it = box.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Entry> e = it.next();
                Entry entry = e.getValue();
                if (entry.number() <= through) {
                    it.remove();
                } else if (entry.signedEpoch() >= 0) {
                    granted.put(e.getKey(), entry.signedEpoch());
                } else {
                    revoked.put(e.getKey(), -entry.signedEpoch());
                }
            }
        }
        return new Outbox(granted, revoked, run + "." + numbered);
    }

    /** The highest entry number {@code ack} acknowledges; 0 for none, or a token of another run. */
    private long acknowledged(String ack) {
        if (ack == null) {
            return 0;
        }
        int dot = ack.indexOf('.');
        if (dot <= 0 || !ack.regionMatches(0, run, 0, dot) || dot != run.length()) {
            return 0;
        }
        try {
            return Math.min(Long.parseLong(ack, dot + 1, ack.length(), 10), numbered);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Forgets the worker's unacknowledged transfers (it left: a worker that joins again reports what it holds). */
    synchronized void forget(String workerId) {
        transfers.remove(workerId);
    }

    private Map<String, Entry> outbox(String workerId) {
        return transfers.computeIfAbsent(workerId, id -> new HashMap<>());
    }
}
