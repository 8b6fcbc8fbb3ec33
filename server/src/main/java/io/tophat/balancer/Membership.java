package io.tophat.balancer;

import io.tophat.protocol.WorkerLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers the balancer knows, alive or dead. Workers that miss {@value #MISSED_RENEWALS} renewals of the
 * balancer's lease interval (however they registered) are marked dead by {@link #expire}, run every {@link #CHECK_EVERY}; a renewal brings a worker back.
 * When a check comes late, the balancer itself was held up (CPU starvation, a pause) and could not read the
 * renewals waiting for it, so every lease is extended by the delay rather than counted as missed.
 */
public final class Membership {
    public static final int MISSED_RENEWALS = 3;
    public static final Duration CHECK_EVERY = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    /** A delay worth a log line; shorter ones are excused quietly. */
    private static final long NOTABLE_DELAY_NANOS = 1_000_000_000L;

    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final Duration leaseInterval;
    private long lastCheckNanos = System.nanoTime();

    public Membership(Duration leaseInterval) {
        this.leaseInterval = leaseInterval;
    }

    /** How often every worker renews; the balancer's choice, told to each worker in its lease. */
    public Duration leaseInterval() {
        return leaseInterval;
    }

    /** Adds or replaces the worker; returns its member, alive. */
    public Member join(Worker worker) {
        return join(worker, -1);
    }

    /** Adds or replaces the worker, which reported {@code commitKey} (-1: none); returns its member, alive. */
    public Member join(Worker worker, long commitKey) {
        Member member = new Member(worker, System.nanoTime(), commitKey);
        Member previous = members.put(worker.id(), member);
        LOG.info("worker {} {} at {}", worker.id(), previous == null ? "joined" : "joined again", worker.url());
        return member;
    }

    /**
     * Adds a worker remembered from the balancer's state file after a restart, alive with a fresh lease: it
     * keeps its producers if it renews in time, and is marked dead like any other worker if it does not.
     */
    public Member restore(Worker worker) {
        Member member = new Member(worker, System.nanoTime(), -1);
        member.wantReport(true);
        members.put(worker.id(), member);
        return member;
    }

    /**
     * Renews a worker's lease with its load and store health ({@code storeFailingMs} above 0: its store fails
     * writes, so it takes no new producers and its producers move); null when the worker is unknown.
     */
    public Member renew(String id, WorkerLoad load, long storeFailingMs) {
        Member member = members.get(id);
        if (member == null) {
            return null;
        }
        boolean wasDead = !member.alive();
        member.renewed(load, System.nanoTime());
        if (wasDead) {
            LOG.info("worker {} renewed its lease again; alive", id);
        }
        if (member.storeHealth(storeFailingMs)) {
            if (member.storeFailing()) {
                LOG.warn("worker {} reports its store has failed every write for {} ms; no new producers go to it "
                        + "and its producers move", id, storeFailingMs);
            } else {
                LOG.info("worker {} reports its store writes again; it takes producers again", id);
            }
        }
        return member;
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

    /**
     * Starts the lease checks' clock now: the time spent reading a large state at start is not a hold-up, and a
     * worker remembered from the state has from now on to renew.
     */
    public void startClock() {
        lastCheckNanos = System.nanoTime();
    }

    /** Marks dead every leased worker that missed its renewals; returns those newly marked. */
    public List<Member> expire() {
        return expire(System.nanoTime());
    }

    List<Member> expire(long now) {
        long late = now - lastCheckNanos - CHECK_EVERY.toNanos();
        lastCheckNanos = now;
        if (late > CHECK_EVERY.toNanos()) {
            members.values().forEach(member -> member.excuse(late, now));
            if (late >= NOTABLE_DELAY_NANOS) {
                LOG.warn("the balancer was held up for {} ms (CPU starvation or a pause); leases extended by as much",
                        late / 1_000_000);
            }
        }
        List<Member> expired = new ArrayList<>();
        for (Member member : members.values()) {
            if (member.alive() && member.leaseExpired(now, MISSED_RENEWALS, leaseInterval.toNanos())) {
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
