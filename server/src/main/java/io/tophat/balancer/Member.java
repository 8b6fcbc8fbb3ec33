package io.tophat.balancer;

import io.tophat.protocol.WorkerLoad;

/**
 * A registered worker and what the balancer has learned of it since: its last lease renewal, its load, and
 * whether a producer reported it failing after that renewal. Read from any thread, written by the membership.
 */
public final class Member {
    private final Worker worker;
    private volatile long lastRenewalNanos;
    private volatile long failedSinceNanos = -1;
    private volatile boolean dead;
    private volatile boolean draining;
    private volatile WorkerLoad load = WorkerLoad.NONE;

    Member(Worker worker, long nowNanos) {
        this.worker = worker;
        this.lastRenewalNanos = nowNanos;
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

    /** Alive: holds its lease (a seed worker, which holds none, until it quits). Consumers may be sent to it. */
    public boolean alive() {
        return !dead;
    }

    /** Alive, not draining and not reported failing since its last renewal: new producers may be given to it. */
    public boolean assignable() {
        return !dead && !draining && failedSinceNanos < 0;
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

    /** True when a leased worker has missed {@code missed} renewals. */
    boolean leaseExpired(long nowNanos, int missed) {
        return worker.leased() && nowNanos - lastRenewalNanos > missed * worker.leaseIntervalMs() * 1_000_000L;
    }
}
