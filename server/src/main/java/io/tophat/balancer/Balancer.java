package io.tophat.balancer;

import io.tophat.protocol.WorkerLease;
import io.tophat.protocol.WorkerLoad;
import io.tophat.batching.GroupCommitter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The balancer's decisions, without HTTP: who is a member, which worker holds each producer, and where a
 * consumer is sent. Every change is written to the {@link BalancerStore} before the future it returns
 * completes, so an answered registration survives a balancer crash.
 */
public final class Balancer implements AutoCloseable {

    private record Pending(BalancerStore.Change change, Context context, Promise<Void> done) {
    }

    private final Vertx vertx;
    private final Membership membership = new Membership();
    private final Map<String, Assignment> assignments = new ConcurrentHashMap<>();
    private final Ledger ledger = new Ledger();
    private final AssignmentStrategy strategy;
    private final AtomicLong epoch = new AtomicLong();
    private final BalancerStore store;
    private final GroupCommitter<Pending> writer;

    /** Takes ownership of {@code store}: it is closed by {@link #close}. */
    public Balancer(Vertx vertx, BalancerStore store, AssignmentStrategy strategy) {
        this.vertx = vertx;
        this.store = store;
        this.strategy = strategy;
        BalancerStore.State state = store.load();
        state.workers().forEach(membership::restore);
        for (Assignment a : state.assignments()) {
            assignments.put(a.producer(), a);
            ledger.restore(a);
            epoch.accumulateAndGet(a.epoch(), Math::max);
        }
        this.writer = new GroupCommitter<>("tophat-balancer-writer",
                GroupCommitter.Policy.immediate(100_000, 10_000),
                batch -> store.apply(batch.stream().map(Pending::change).toList()),
                Balancer::completed);
    }

    private static void completed(List<Pending> batch, Throwable failure) {
        for (Pending p : batch) {
            p.context().runOnContext(v -> {
                if (failure == null) {
                    p.done().complete();
                } else {
                    p.done().fail(failure);
                }
            });
        }
    }

    /** Writes a change; a failure is a {@link StateWriteException} (the change stays in memory). */
    private Future<Void> persist(BalancerStore.Change change) {
        Promise<Void> done = Promise.promise();
        if (!writer.offer(new Pending(change, vertx.getOrCreateContext(), done))) {
            done.fail(new StateWriteException("its state writer is full", null));
        }
        return done.future().recover(e -> Future.failedFuture(e instanceof StateWriteException ? e
                : new StateWriteException(e.getMessage(), e)));
    }

    public Future<Member> join(Worker worker) {
        Member member = membership.join(worker);
        return persist(new BalancerStore.Joined(worker)).map(member);
    }

    public boolean renew(String workerId, WorkerLoad load) {
        return membership.renew(workerId, load);
    }

    /** Removes the worker; completes with false when it was unknown. */
    public Future<Boolean> leave(String workerId) {
        Member removed = membership.leave(workerId);
        if (removed == null) {
            return Future.succeededFuture(false);
        }
        return persist(new BalancerStore.Left(workerId)).map(true);
    }

    public Member member(String workerId) {
        return membership.get(workerId);
    }

    /**
     * The producer's worker: its current one while that is alive and not reported failing, else a new one
     * chosen by the strategy. {@code failedUrl}, when given, is the worker that just failed the producer.
     *
     * @throws NoWorkersException when no live worker can take it
     */
    public synchronized Future<Assignment> assign(String producer, String failedUrl) {
        if (failedUrl != null) {
            membership.reportFailing(failedUrl);
        }
        Assignment current = assignments.get(producer);
        if (current != null) {
            Member holder = membership.get(current.workerId());
            if (holder != null && holder.assignable()) {
                return Future.succeededFuture(current);
            }
        }
        List<Member> candidates = membership.assignable();
        if (candidates.isEmpty()) {
            throw new NoWorkersException();
        }
        Member chosen = strategy.choose(producer, candidates, ledger::held);
        Assignment next = new Assignment(producer, chosen.id(), epoch.incrementAndGet(), System.currentTimeMillis());
        assignments.put(producer, next);
        ledger.moved(current, next);
        return persist(new BalancerStore.Assigned(next)).map(next);
    }

    /** Producers assigned to the worker now. */
    public int held(String workerId) {
        return ledger.held(workerId);
    }

    /** Stops giving new producers to the worker; false when unknown. */
    public boolean drain(String workerId) {
        return membership.drain(workerId);
    }

    /**
     * The lease answer for a worker that just registered or renewed: its assignment count, whether it drains,
     * and the producers moved to or from it since its previous renewal.
     */
    public WorkerLease lease(Member member) {
        Map<String, Long> granted = new HashMap<>();
        Map<String, Long> revoked = new HashMap<>();
        ledger.takeTransfers(member.id(), granted, revoked);
        return new WorkerLease(member.id(), member.url(), member.worker().leaseIntervalMs(), ledger.held(member.id()),
                member.draining(), revoked, granted);
    }

    /** The worker's lease as it stands, without taking the transfers its next renewal will carry. */
    public WorkerLease peekLease(Member member) {
        return new WorkerLease(member.id(), member.url(), member.worker().leaseIntervalMs(), ledger.held(member.id()),
                member.draining(), Map.of(), Map.of());
    }


    /** Where a consumer asking for {@code producer} goes. */
    public Route route(String producer) {
        Assignment assignment = assignments.get(producer);
        if (assignment == null) {
            return new Route.Unknown();
        }
        Member holder = membership.get(assignment.workerId());
        if (holder != null && holder.alive()) {
            return new Route.To(holder.url());
        }
        Member substitute = holder == null ? null : membership.aliveSharingStore(holder.worker().store());
        if (substitute != null) {
            return new Route.To(substitute.url());
        }
        long retry = holder == null ? 1 : Math.max(1, holder.worker().leaseIntervalMs() / 1000);
        return new Route.Unavailable(assignment.workerId(), retry);
    }

    /** Marks dead the workers that missed their renewals. */
    public List<Member> expireLeases() {
        return membership.expire();
    }

    public Membership membership() {
        return membership;
    }

    public Map<String, Assignment> assignments() {
        return assignments;
    }

    public String strategyName() {
        return strategy.name();
    }

    /** Writes what is pending, stops the writer and closes the state file. */
    @Override
    public void close() {
        writer.close();
        store.close();
    }
}
