package io.tophat.balancer;

import io.tophat.batching.GroupCommitter;
import io.tophat.protocol.LeaseRenewal;
import io.tophat.protocol.WorkerLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.tophat.security.ConsumerKey;
import io.tophat.security.KeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The balancer's decisions, without HTTP: who is a member, which worker holds each producer, and where a
 * consumer is sent. Every change is written to the {@link BalancerStore} before the future it returns
 * completes, so an answered registration survives a balancer crash.
 *
 * <p>Workers report the producers they hold (with the epoch of each grant) when they register and when a lease
 * answer asks them to; {@link #reconcile} makes the balancer's assignments agree with those reports, so a
 * balancer that lost its state rebuilds it from its workers, and a worker that missed a revocation is told again.
 */
public final class Balancer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Balancer.class);

    private record Pending(List<BalancerStore.Change> changes, Context context, Promise<Void> done) {
    }

    /**
     * A worker's registration as the balancer checks it: the worker, the proof of its store, what it holds, and the
     * commit key it reported (-1: none).
     */
    public record Joining(Worker worker, String storeProof, boolean storeShared, Map<String, Long> holds,
                          long commitKey) {
    }

    private final Vertx vertx;
    private final Membership membership;
    private final Map<String, Assignment> assignments;
    /** Producer to every store that ever held its heartbeats (see {@link #storeKey}). */
    private final ProducerStores stores;
    /** Store to the last worker that registered with it, to name a store no live worker reads. */
    private final Map<String, String> lastWorkers = new ConcurrentHashMap<>();
    private final Ledger ledger = new Ledger();
    /** The watched areas' definitions as stored, by name, oldest first (read at start). */
    private final Map<String, String> storedAreas;
    /** The consumer keys, as the state holds them; replaced whole on each change. */
    private volatile KeyRing keys;
    private final StoreClaims claims = new StoreClaims();
    private final AssignmentStrategy strategy;
    private final StateStore store;
    private final GroupCommitter<Pending> writer;
    /** The highest epoch this balancer knows of (granted by it, or by another sharing its state). */
    private long epoch;
    /** With a shared state: the block of epochs this balancer hands out, and the next block, fetched ahead. */
    private long blockNext;
    private long blockEnd;
    private volatile long spareBlock;
    private boolean fetchingSpare;
    /** How long reading the state took at start. */
    private final long loadMillis;

    /** Takes ownership of {@code store}: it is closed by {@link #close}. */
    public Balancer(Vertx vertx, StateStore store, AssignmentStrategy strategy, Duration leaseInterval) {
        this.vertx = vertx;
        this.store = store;
        this.strategy = strategy;
        this.membership = new Membership(leaseInterval);
        long started = System.nanoTime();
        BalancerStore.State state = store.load();
        // sized for what was read, with room to grow: a million producers are not re-hashed twenty times at start
        int expected = Math.max(16, state.assignments().size() + state.assignments().size() / 2);
        this.assignments = new ConcurrentHashMap<>(expected);
        this.stores = new ProducerStores(expected);
        state.claims().forEach(claims::restore);
        storedAreas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(state.areas()));
        keys = new KeyRing(state.keys().values().stream().map(Balancer::storedKey)
                .filter(java.util.Objects::nonNull).toList());
        for (Assignment a : state.assignments()) {
            assignments.put(a.producer(), a);
            ledger.restore(a);
            epoch = Math.max(epoch, a.epoch());
        }
        for (BalancerStore.Held h : state.stores()) {
            Assignment a = assignments.get(h.producer());
            stores.add(a == null ? h.producer() : a.producer(), h.store()); // the id's one String for both maps
        }
        // the workers last, with leases from now: reading a million producers is no reason to think them dead
        state.workers().forEach(w -> {
            membership.restore(w);
            lastWorkers.put(w.store() != null ? w.store() : "worker:" + w.id(), w.id());
        });
        membership.startClock();
        this.loadMillis = (System.nanoTime() - started) / 1_000_000;
        if (state.assignments().isEmpty() && !store.shared()) {
            // A new or recovered state: start the epochs above any a lost state can have handed out, so that a
            // worker's remembered grant never outranks a new assignment (see docs/cluster.md, "Healing").
            epoch = System.currentTimeMillis();
        }
        if (store.shared()) {
            // the first block now, off the event loops; later ones are fetched ahead (see nextEpoch)
            blockNext = store.reserveEpochs(epoch);
            blockEnd = blockNext + store.epochBlock();
        }
        this.writer = new GroupCommitter<>("tophat-balancer-writer",
                GroupCommitter.Policy.immediate(100_000, 10_000),
                batch -> store.apply(batch.stream().flatMap(p -> p.changes().stream()).toList()),
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

    /** Writes changes in one go; a failure is a {@link StateWriteException} (the changes stay in memory). */
    private Future<Void> persist(List<BalancerStore.Change> changes) {
        if (changes.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        if (!writer.offer(new Pending(changes, vertx.getOrCreateContext(), done))) {
            done.fail(new StateWriteException("its state writer is full", null));
        }
        return done.future().recover(e -> Future.failedFuture(e instanceof StateWriteException ? e
                : new StateWriteException(io.tophat.store.StoreException.conditionOf(e), e)));
    }

    /**
     * Registers a worker (API v1): checks its store claim, replaces what the balancer knew of it, and adopts or
     * revokes what it reports holding.
     *
     * @throws StoreClaims.Refused when its store identity is not its own to claim
     */
    public synchronized Future<Member> join(Joining joining) {
        Worker worker = joining.worker();
        List<BalancerStore.Change> changes = new ArrayList<>();
        if (worker.store() != null) {
            StoreClaims.Claim claim = claims.check(worker.id(), worker.store(), joining.storeProof(),
                    joining.storeShared(), membership);
            if (claim != null) {
                changes.add(new BalancerStore.Claimed(claim));
            }
        }
        Member member = membership.join(worker, joining.commitKey());
        lastWorkers.put(storeKey(member, worker.id()), worker.id());
        changes.add(new BalancerStore.Joined(worker));
        ledger.forget(worker.id());
        reconcile(worker.id(), joining.holds(), true, changes);
        return persist(changes).map(member);
    }

    /**
     * Registers a worker through the seed protocol; the same worker registering again renews its lease (that is
     * how a seed worker renews).
     */
    public synchronized Future<Member> joinSeed(Worker worker) {
        Member known = membership.get(worker.id());
        if (known != null && known.worker().seed() && known.url().equals(worker.url())) {
            membership.renew(worker.id(), null, 0);
            return Future.succeededFuture(known);
        }
        Member member = membership.join(worker);
        return persist(List.of(new BalancerStore.Joined(worker))).map(member);
    }

    /**
     * Renews a worker's lease and answers it; a renewal that reports holdings is reconciled (and written) before
     * the answer. Completes with null when the worker is unknown.
     */
    public Future<WorkerLease> renew(String workerId, LeaseRenewal renewal) {
        Member member = membership.renew(workerId, renewal.load(), renewal.storeFailingMs());
        if (member == null) {
            return Future.succeededFuture(null);
        }
        member.reported(renewal.commitKey());
        Future<Void> reconciled = Future.succeededFuture();
        if (renewal.holds() != null) {
            List<BalancerStore.Change> changes = new ArrayList<>();
            synchronized (this) {
                reconcile(workerId, renewal.holds(), true, changes);
            }
            member.wantReport(false);
            reconciled = persist(changes);
        }
        return reconciled.map(v -> lease(member, renewal.ack(), renewal.keysVersion()));
    }

    /**
     * Makes the assignments agree with what {@code workerId} reports holding: a producer the balancer does not
     * know is adopted (at the reported epoch, or a new one when the worker has no grant for it); one the balancer
     * holds elsewhere at a later epoch is revoked from the worker; one the worker holds at a later epoch than the
     * balancer's (a state older than the worker's knowledge) moves to the worker. When the report is complete,
     * producers assigned to the worker that it does not report are granted again.
     */
    private void reconcile(String workerId, Map<String, Long> holds, boolean complete,
                           List<BalancerStore.Change> changes) {
        int adopted = 0;
        for (Map.Entry<String, Long> held : holds.entrySet()) {
            String producer = held.getKey();
            long claimed = held.getValue() == null ? 0 : held.getValue();
            if (producer == null || claimed < 0) {
                continue;
            }
            Assignment current = assignments.get(producer);
            if (current == null || (!current.workerId().equals(workerId) && claimed > current.epoch())) {
                long at = claimed > 0 ? claimed : nextEpoch(current);
                epoch = Math.max(epoch, at);
                Assignment next = new Assignment(producer, workerId, at, System.currentTimeMillis());
                assignments.put(producer, next);
                ledger.moved(current, next);
                changes.add(new BalancerStore.Assigned(next));
                held(producer, workerId, changes);
                adopted++;
            } else if (current.workerId().equals(workerId)) {
                if (claimed != current.epoch()) {
                    ledger.grant(workerId, producer, current.epoch());
                }
            } else {
                ledger.revoke(workerId, producer, current.epoch());
            }
        }
        if (complete) {
            Set<String> reported = new HashSet<>(holds.keySet());
            for (Assignment a : assignments.values()) {
                if (a.workerId().equals(workerId) && !reported.contains(a.producer())) {
                    ledger.grant(workerId, a.producer(), a.epoch());
                }
            }
        }
        if (adopted > 0) {
            LOG.info("worker {} reported {} producers the balancer did not hold there; adopted", workerId, adopted);
        }
    }

    /** Removes the worker; completes with false when it was unknown. */
    public Future<Boolean> leave(String workerId) {
        Member removed = membership.leave(workerId);
        if (removed == null) {
            return Future.succeededFuture(false);
        }
        return persist(List.of(new BalancerStore.Left(workerId))).map(true);
    }

    public Member member(String workerId) {
        return membership.get(workerId);
    }

    /**
     * The producer's worker: its current one while that is assignable, else a new one chosen by the strategy.
     * {@code failedUrl}, when given, is the worker that just failed the producer.
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
        String problem = store.problem();
        if (problem != null) {
            // refused before anything changes: a grant the workers heard of would outlive the refusal
            return Future.failedFuture(new StateWriteException(problem, null));
        }
        Member chosen = strategy.choose(producer, candidates, ledger::held);
        Assignment next = new Assignment(producer, chosen.id(), nextEpoch(current), System.currentTimeMillis());
        assignments.put(producer, next);
        ledger.moved(current, next);
        List<BalancerStore.Change> changes = new ArrayList<>(2);
        changes.add(new BalancerStore.Assigned(next));
        held(producer, chosen.id(), changes);
        return persist(changes).recover(e -> {
            undoNew(current, next);
            return Future.failedFuture(e);
        }).map(next);
    }

    /**
     * A new producer's assignment that could not be written is taken back (and its grant revoked), so no worker
     * holds what the state does not: the producer, answered 503, registers again.
     */
    private synchronized void undoNew(Assignment current, Assignment next) {
        if (current == null && assignments.remove(next.producer(), next)) {
            ledger.released(next);
            ledger.revoke(next.workerId(), next.producer(), next.epoch());
        }
    }

    /**
     * A new fencing epoch for a producer whose assignment is {@code current} (null: none): above it and unique.
     * Alone, the balancer counts up; sharing its state, it takes epochs from its block of the database's sequence,
     * fetched ahead on a worker thread, so that two balancers never give one epoch and a move outranks what it
     * replaces whoever decided it.
     */
    private long nextEpoch(Assignment current) {
        if (!store.shared()) {
            return ++epoch;
        }
        long floor = current == null ? 0 : current.epoch();
        if (blockNext >= blockEnd || blockNext <= floor) {
            long spare = spareBlock;
            spareBlock = 0;
            blockNext = spare > floor ? spare : store.reserveEpochs(floor); // blocks only when no spare is ready
            blockEnd = blockNext + store.epochBlock();
        }
        if (blockEnd - blockNext < store.epochBlock() / 2 && spareBlock == 0 && !fetchingSpare) {
            fetchingSpare = true;
            vertx.<Long>executeBlocking(() -> store.reserveEpochs(0), false).onComplete(r -> {
                synchronized (this) {
                    fetchingSpare = false;
                    if (r.succeeded()) {
                        spareBlock = r.result();
                    }
                }
            });
        }
        epoch = Math.max(epoch, blockNext);
        return blockNext++;
    }

    /**
     * Applies what another balancer sharing the state decided: a later assignment moves the producer here too (its
     * workers hear of it in their next lease answers), an erasure forgets it. Returns the area changes, which the
     * server hands to its area watch.
     */
    public synchronized List<BalancerStore.Change> applyOthers(List<BalancerStore.Change> changes) {
        List<BalancerStore.Change> areaChanges = new ArrayList<>();
        for (BalancerStore.Change change : changes) {
            if (change instanceof BalancerStore.Assigned a) {
                Assignment next = a.assignment();
                Assignment current = assignments.get(next.producer());
                if (current == null || next.epoch() > current.epoch()) {
                    assignments.put(next.producer(), next);
                    ledger.moved(current, next);
                    epoch = Math.max(epoch, next.epoch());
                }
            } else if (change instanceof BalancerStore.Held h) {
                stores.add(h.producer(), h.store());
            } else if (change instanceof BalancerStore.Erased e) {
                Assignment gone = assignments.remove(e.producer());
                stores.remove(e.producer());
                if (gone != null) {
                    ledger.released(gone);
                }
            } else if (change instanceof BalancerStore.AreaSaved || change instanceof BalancerStore.AreaRemoved) {
                areaChanges.add(change);
            } else if (change instanceof BalancerStore.KeySaved k) {
                ConsumerKey key = storedKey(k.definition());
                if (key != null) {
                    keys = keys.replacing(key.name(), key);
                }
            } else if (change instanceof BalancerStore.KeyRevoked k) {
                keys = keys.replacing(k.name(), null);
            }
        }
        return areaChanges;
    }

    /**
     * With a shared state, a producer this balancer does not know yet is looked up in the database: another
     * balancer may have registered it moments ago, before this one read the change log. Completes when the
     * producer is known here or is not in the database (or the database cannot say: then as unknown).
     */
    public Future<Void> lookUp(String producer) {
        if (!store.shared() || assignments.containsKey(producer)) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> store.producer(producer), false)
                .map(found -> {
                    applyOthers(found);
                    return (Void) null;
                })
                .otherwiseEmpty();
    }

    /** How long reading the state took at start, in ms. */
    public long loadMillis() {
        return loadMillis;
    }

    /** True when other balancers share this one's state. */
    public boolean sharesState() {
        return store.shared();
    }

    /** What the other balancers changed since the last call; blocking (run it on a worker thread). */
    public List<BalancerStore.Change> othersChanges() {
        return store.othersChanges();
    }

    /** Records that the worker's store holds (some of) the producer's heartbeats. */
    private void held(String producer, String workerId, List<BalancerStore.Change> changes) {
        String key = storeKey(membership.get(workerId), workerId);
        if (stores.add(producer, key)) {
            changes.add(new BalancerStore.Held(producer, key));
        }
    }

    /** How the balancer names a worker's store: its identity, or {@code worker:<id>} when it reported none. */
    static String storeKey(Member member, String workerId) {
        String store = member == null ? null : member.worker().store();
        return store != null ? store : "worker:" + workerId;
    }

    /** Every store that ever held the producer's heartbeats; empty for a producer the balancer does not know. */
    public Set<String> storesOf(String producer) {
        return stores.of(producer);
    }

    /**
     * A live worker that can read the store for {@code producer}, or null: the producer's own worker when it
     * reads that store, else one no producer reported failing, else any live one. Among workers sharing a store
     * this keeps reads away from one just killed, which stays "alive" until its lease runs out.
     */
    public Member readerOf(String storeKey, String producer) {
        Assignment assigned = assignments.get(producer);
        Member own = assigned == null ? null : membership.get(assigned.workerId());
        if (own != null && own.alive() && storeKey.equals(storeKey(own, own.id()))) {
            return own;
        }
        Member alive = null;
        for (Member m : membership.all()) {
            if (m.alive() && storeKey.equals(storeKey(m, m.id()))) {
                if (m.assignable()) {
                    return m;
                }
                alive = alive == null ? m : alive;
            }
        }
        return alive;
    }

    /** The worker to name when a store cannot be read: one known with it (dead or alive), else the store itself. */
    public String nameOf(String storeKey) {
        if (storeKey.startsWith("worker:")) {
            return storeKey.substring("worker:".length());
        }
        return lastWorkers.getOrDefault(storeKey, storeKey);
    }

    /**
     * Forgets an erased producer: its assignment and stores (written before the future completes). A producer that
     * sends again afterwards registers as a new one.
     */
    public synchronized Future<Void> forget(String producer) {
        Assignment gone = assignments.remove(producer);
        stores.remove(producer);
        if (gone != null) {
            ledger.released(gone);
        }
        return persist(List.of(new BalancerStore.Erased(producer)));
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
     * The lease answer for a worker that just registered or renewed, having applied the answer {@code ack}
     * names: its assignment count, whether it drains, and every transfer it has not acknowledged.
     */
    public WorkerLease lease(Member member, String ack, long workerKeysVersion) {
        Ledger.Outbox box = ledger.outbox(member.id(), ack);
        KeyRing ring = keys;
        return new WorkerLease(member.id(), member.url(), membership.leaseInterval().toMillis(),
                ledger.held(member.id()), member.draining(), member.assignable(), box.revoked(), box.granted(),
                box.ackToken(), member.reportWanted(), ring.version(),
                ring.version() == workerKeysVersion ? null : ring.grants());
    }

    /** The worker's lease as it stands, without transfers (an operator's drain request, not the worker's call). */
    public WorkerLease peekLease(Member member) {
        return new WorkerLease(member.id(), member.url(), membership.leaseInterval().toMillis(),
                ledger.held(member.id()), member.draining(), member.assignable(), Map.of(), Map.of(), null, false,
                keys.version(), null);
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
        return new Route.Unavailable(assignment.workerId(), Math.max(1, membership.leaseInterval().toSeconds()));
    }

    /** Marks dead the workers that missed their renewals. */
    public List<Member> expireLeases() {
        return membership.expire();
    }

    /** The watched areas' definitions (JSON) by name, as the state held them at start. */
    Map<String, String> storedAreas() {
        return storedAreas;
    }

    /** Writes an area's definition to the state; completes once it is durable. */
    Future<Void> saveArea(String name, String definition) {
        return persist(List.of(new BalancerStore.AreaSaved(name, definition, System.currentTimeMillis())));
    }

    Future<Void> removeArea(String name) {
        return persist(List.of(new BalancerStore.AreaRemoved(name)));
    }

    /** The consumer keys known now. */
    public KeyRing keys() {
        return keys;
    }

    /** Makes a key named {@code name} with {@code scope}; completes with the key (to show once) when durable. */
    public Future<String> issueKey(String name, io.tophat.security.KeyScope scope) {
        String key = ConsumerKey.newKey();
        return saveKey(ConsumerKey.issued(name, key, scope, System.currentTimeMillis())).map(key);
    }

    /** Writes a new (or replacing) key to the state; it is known here, and to the workers, once durable. */
    synchronized Future<Void> saveKey(ConsumerKey key) {
        String definition;
        try {
            definition = io.tophat.http.Responses.MAPPER.writeValueAsString(key.grant());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return persist(List.of(new BalancerStore.KeySaved(key.name(), definition, key.createdAt())))
                .onSuccess(v -> keys = keys.replacing(key.name(), key));
    }

    /** Revokes a key: refused here at once, by the workers from their next lease answer. */
    synchronized Future<Void> revokeKey(String name) {
        return persist(List.of(new BalancerStore.KeyRevoked(name))).onSuccess(v -> keys = keys.replacing(name, null));
    }

    private static ConsumerKey storedKey(String definition) {
        try {
            return ConsumerKey.of(io.tophat.http.Responses.MAPPER.readValue(definition, io.tophat.protocol.KeyGrant.class));
        } catch (java.io.IOException | IllegalArgumentException e) {
            LOG.warn("a stored consumer key cannot be read ({}); it is refused", e.getMessage());
            return null;
        }
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

    /** Why state changes are refused now (the state file was removed or replaced), or null while they are written. */
    public String stateProblem() {
        return store.problem();
    }

    /** Writes what is pending, stops the writer and closes the state file. */
    @Override
    public void close() {
        writer.close();
        store.close();
    }
}
