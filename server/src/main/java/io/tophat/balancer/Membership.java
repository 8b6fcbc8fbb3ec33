package io.tophat.balancer;

import io.tophat.protocol.WorkerLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers the balancer knows, alive or dead. Leased workers that miss {@value #MISSED_RENEWALS}
 * renewals are marked dead by {@link #expire}; a renewal brings a worker back.
 */
public final class Membership {
    public static final int MISSED_RENEWALS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final Map<String, Member> members = new ConcurrentHashMap<>();

    /** Adds or replaces the worker; returns its member, alive. */
    public Member join(Worker worker) {
        Member member = new Member(worker, System.nanoTime());
        Member previous = members.put(worker.id(), member);
        LOG.info("worker {} {} at {}", worker.id(), previous == null ? "joined" : "joined again", worker.url());
        return member;
    }

    /**
     * Adds a worker remembered from the balancer's state file after a restart, alive with a fresh lease: it
     * keeps its producers if it renews in time, and is marked dead like any other worker if it does not.
     */
    public Member restore(Worker worker) {
        Member member = new Member(worker, System.nanoTime());
        members.put(worker.id(), member);
        return member;
    }

    /** Renews a worker's lease; false when the worker is unknown. */
    public boolean renew(String id, WorkerLoad load) {
        Member member = members.get(id);
        if (member == null) {
            return false;
        }
        boolean wasDead = !member.alive();
        member.renewed(load, System.nanoTime());
        if (wasDead) {
            LOG.info("worker {} renewed its lease again; alive", id);
        }
        return true;
    }

    /** Marks the worker draining: it takes no new producers. False when unknown. */
    public boolean drain(String id) {
        Member member = members.get(id);
        if (member == null) {
            return false;
        }
        if (!member.draining()) {
            member.drain();
            LOG.info("worker {} is draining; no new producers go to it", id);
        }
        return true;
    }

    public Member leave(String id) {
        Member removed = members.remove(id);
        if (removed != null) {
            LOG.info("worker {} left", id);
        }
        return removed;
    }

    public Member get(String id) {
        return id == null ? null : members.get(id);
    }

    /** A producer says the worker at {@code url} failed it: no new producers go there until it renews. */
    public Member reportFailing(String url) {
        Member member = members.get(Worker.idOf(url));
        if (member != null && member.assignable()) {
            member.reportedFailing(System.nanoTime());
            LOG.info("worker {} reported failing by a producer; no new producers until it renews its lease",
                    member.id());
        }
        return member;
    }

    /** Marks dead every leased worker that missed its renewals; returns those newly marked. */
    public List<Member> expire() {
        long now = System.nanoTime();
        List<Member> expired = new ArrayList<>();
        for (Member member : members.values()) {
            if (member.alive() && member.leaseExpired(now, MISSED_RENEWALS)) {
                member.markDead();
                expired.add(member);
                LOG.warn("worker {} missed {} lease renewals; marked dead", member.id(), MISSED_RENEWALS);
            }
        }
        return expired;
    }

    /** Workers that may take new producers, in a stable order (by id). */
    public List<Member> assignable() {
        List<Member> result = new ArrayList<>();
        for (Member member : members.values()) {
            if (member.assignable()) {
                result.add(member);
            }
        }
        result.sort((a, b) -> a.id().compareTo(b.id()));
        return result;
    }

    /** An alive worker sharing {@code store}, to answer for a dead worker from the same database. */
    public Member aliveSharingStore(String store) {
        if (store == null) {
            return null;
        }
        for (Member member : members.values()) {
            if (member.alive() && store.equals(member.worker().store())) {
                return member;
            }
        }
        return null;
    }

    public Collection<Member> all() {
        return members.values();
    }
}
