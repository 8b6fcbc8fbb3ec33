package io.tophat.store;

import io.tophat.protocol.Heartbeat;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a worker keeps heartbeats: every heartbeat as history, plus the latest one of each producer.
 * One interface, one class per engine. Writes come from one writer thread only ({@link #append});
 * reads may come from several threads at once. Failures are {@link StoreException}s.
 */
public interface HeartbeatStore extends AutoCloseable {

    /**
     * Writes a batch in one transaction: each heartbeat goes into the history, and the latest record of each
     * producer is replaced when the new one is not older. A heartbeat whose (producer, seq) is already
     * stored is ignored, so a retried heartbeat is stored once. Returns when the transaction is committed, with
     * the commit key of the batch's first heartbeat; the others follow it one apart, in the batch's order. Keys
     * grow with every commit of this store and are never given twice (0 for an empty batch).
     */
    long append(List<Heartbeat> batch);

    /** The commit key of the last heartbeat committed, 0 before the first. */
    long lastKey();

    /**
     * Heartbeats committed after commit key {@code afterKey}, in commit order, of the given producers (null: of
     * all), at most {@code limit}; a retry (a (producer, seq) this store held already) is not among them. Each
     * position's key is the heartbeat's commit key. A stream replays from it before it goes live; continuing
     * after the last key of a page neither skips nor repeats a heartbeat.
     */
    List<StoredHeartbeat> committedAfter(long afterKey, Set<String> producers, int limit);

    /** The producer's latest heartbeat, if any. */
    Optional<Heartbeat> latest(String producer);

    /** The most recent heartbeat whose location was the given string label, if any. */
    Optional<Heartbeat> latestAtLabel(String label);

    /**
     * A page of the producer's history: heartbeats with {@code from <= time < to} (their time: device time, else
     * receipt), in the query's order, each with its position. Positions never change, so a query continuing
     * after the last position of a page neither skips nor repeats a heartbeat, even within a millisecond. A
     * retried heartbeat (same producer and seq) is in it once.
     */
    List<StoredHeartbeat> history(HistoryQuery query);

    /** The first {@code limit} heartbeats with {@code fromMillis <= time < toMillis}, oldest first. */
    default List<Heartbeat> history(String producer, long fromMillis, long toMillis, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is " + limit + "; it must not be negative");
        }
        if (limit == 0) {
            return List.of();
        }
        return history(new HistoryQuery(producer, fromMillis, toMillis, false, null, limit)).stream()
                .map(StoredHeartbeat::heartbeat).toList();
    }

    /**
     * The producers whose latest heartbeat's time is at least {@code seenSince}, ids after {@code afterId} (null: from
     * the first), in id order, at most {@code limit}.
     */
    List<ProducerSeen> producers(String afterId, long seenSince, int limit);

    /** Receives one producer's latest position. */
    @FunctionalInterface
    interface PositionSink {
        void position(String producer, double lat, double lon, long time);
    }

    /**
     * Calls {@code sink} with the latest position of every producer whose latest heartbeat has one (a worker fills
     * its "who is near here" index with them at start). A full read: not for a hot path.
     */
    void eachLatestPosition(PositionSink sink);

    /** Which of {@code seqs} the producer has stored already (a batch counts those as duplicates). */
    Set<Long> storedSeqs(String producer, Collection<Long> seqs);

    /**
     * Deletes every heartbeat of the producer, history and latest, in one transaction; returns how many
     * heartbeats were deleted. Reads after it returns find nothing of the producer.
     */
    long erase(String producer);

    /**
     * Retention: deletes up to {@code maxRows} heartbeats whose time is before {@code cutoffMillis}, in one short
     * transaction, and (with {@code latestToo}) the latest records older than that; returns the heartbeats deleted.
     */
    long expire(long cutoffMillis, int maxRows, boolean latestToo);

    /**
     * Heartbeats committed but not yet in their final, indexed place (0 for engines that write them there at
     * once). A worker sheds load when this grows too large.
     */
    default long backlog() {
        return 0;
    }

    /** The number of heartbeats in the history (for operators and tests). */
    long historySize();

    /** Where the data is, for log lines: a file, or a database without its credentials. */
    String description();

    /** A stable identity of the underlying database, the same for every worker that shares it. */
    String identity();

    /**
     * The secret written in the database when it was created: a worker sends it with {@link #identity()} to prove
     * to the balancer that it holds this store. Never logged.
     */
    String identityProof();

    /** True when several workers may use this database at once (a database server), false for a local file. */
    boolean shared();

    /**
     * Checks, with a small real write, that the store takes writes again after failing them (a full disk freed,
     * say). Returns normally when it does.
     *
     * @throws StoreException saying why it does not
     */
    void checkWritable();

    @Override
    void close();
}
