package io.tophat.balancer;

import io.tophat.protocol.WorkerLoad;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registered worker and what the balancer has learned of it since: its last lease renewal, its load, and
 * whether a producer reported it failing after that renewal. Read from any thread, written by the membership.
 */
public final class Member {
    private final Worker worker;
    private final long joinedNanos;
    private final long joinKey;
    private volatile long reportedKey;
    private volatile long lastRenewalNanos;
    private volatile long failedSinceNanos = -1;
    private volatile boolean dead;
    /** Renewals that arrived and are still being read (see {@link #readingRenewal}). */
    private final AtomicInteger readingRenewals = new AtomicInteger();
    private volatile boolean draining;
    private volatile WorkerLoad load = WorkerLoad.NONE;
    private volatile long storeFailingMs;
    private volatile boolean storeFailing;
    private volatile boolean reportWanted;

    /** @param commitKey the commit key its registration reported (-1: none) */
    Member(Worker worker, long nowNanos, long commitKey) {
        this.worker = worker;
        this.joinedNanos = nowNanos;
        this.joinKey = commitKey;
        this.reportedKey = commitKey;
        this.lastRenewalNanos = nowNanos;
    }

    /** When it registered ({@link System#nanoTime()}). */
    public long joinedNanos() {
        return joinedNanos;
    }

    /**
     * The commit key its registration reported: every heartbeat it committed since this balancer last heard from it
     * comes after it in its store. -1 when it reported none.
     */
    public long joinKey() {
        return joinKey;
    }

    /** The commit key it reported last (registration or renewal): its store had committed that far. -1: none. */
    public long reportedKey() {
        return reportedKey;
    }

    void reported(Long commitKey) {
        if (commitKey != null) {
            reportedKey = commitKey;
        }
    }

    public Worker worker() {
        return worker;
    }

    public String id() {
        return worker.id();
    }

    public String url() {
        return worker.url();
    }

    public WorkerLoad load() {
        return load;
    }

    /** Alive: holds its lease. Consumers may be sent to it. */
    public boolean alive() {
        return !dead;
    }

    /**
     * Alive, not draining, its store writing, and not reported failing since its last renewal: new producers may be
     * given to it.
     */
    public boolean assignable() {
        return !dead && !draining && !storeFailing && failedSinceNanos < 0;
    }

    /** How long its store had failed every write at its last renewal, in milliseconds (0: writing). */
    public long storeFailingMs() {
        return storeFailingMs;
    }

    /** True while the worker reports its store failing writes (past its threshold): its producers move. */
    public boolean storeFailing() {
        return storeFailing;
    }

    /** Records the worker's report; true when that changed whether its store is failing. */
    boolean storeHealth(long failingMs) {
        storeFailingMs = failingMs;
        boolean failing = failingMs > 0;
        boolean changed = failing != storeFailing;
        storeFailing = failing;
        return changed;
    }

    /** True until the worker has reported the producers it holds (a worker remembered from the state file). */
    boolean reportWanted() {
        return reportWanted;
    }

    void wantReport(boolean wanted) {
        reportWanted = wanted;
    }

    public boolean draining() {
        return draining;
    }

    void drain() {
        draining = true;
    }

    public long lastRenewalNanos() {
        return lastRenewalNanos;
    }

    void renewed(WorkerLoad newLoad, long nowNanos) {
        lastRenewalNanos = nowNanos;
        failedSinceNanos = -1;
        dead = false;
        if (newLoad != null) {
            load = newLoad;
        }
    }

    void reportedFailing(long nowNanos) {
        failedSinceNanos = nowNanos;
    }

    void markDead() {
        dead = true;
    }

    /** Moves the last renewal {@code nanos} later (never past {@code nowNanos}): time the balancer could not see. */
    void excuse(long nanos, long nowNanos) {
        lastRenewalNanos = Math.min(nowNanos, lastRenewalNanos + nanos);
    }

    /**
     * True when the worker has missed {@code missed} renewals of {@code intervalNanos}; never while the balancer is
     * still reading one it sent (a report of a million producers takes seconds).
     */
    boolean leaseExpired(long nowNanos, int missed, long intervalNanos) {
        return readingRenewals.get() == 0 && nowNanos - lastRenewalNanos > missed * intervalNanos;
    }

    /** A renewal has arrived and is being read, off the event loops. */
    void readingRenewal() {
        readingRenewals.incrementAndGet();
    }

    /** The renewal {@link #readingRenewal} counted is read (answered or refused); the lease runs from now. */
    void renewalRead(long nowNanos) {
        readingRenewals.decrementAndGet();
        excuse(nowNanos - lastRenewalNanos, nowNanos);
    }
}
