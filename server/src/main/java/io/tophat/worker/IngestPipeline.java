package io.tophat.worker;

import io.tophat.batching.GroupCommitter;
import io.tophat.geo.NearIndex;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.store.HeartbeatStore;
import io.tophat.store.StoreException;
import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The ingest path after parsing: latest cache and the one batching writer. With {@link AckMode#DURABLE} a
 * heartbeat is answered after its batch commits, and enters the cache then; with {@link AckMode#CACHED} it
 * enters the cache and is answered at once, and the writer flushes when {@code cacheSize} heartbeats are
 * pending or the flush interval has passed, then drops the older half of a full cache. A full write queue is
 * {@link IngestOutcome.Overloaded}. Each heartbeat's outcome goes to the {@code answerer} with the target it was
 * submitted with (an HTTP response for the worker), on the context it was submitted from; the pipeline itself
 * knows nothing of HTTP.
 *
 * @param <T> where an outcome is delivered
 */
public final class IngestPipeline<T> implements AutoCloseable {
    /** Heartbeats committed but not yet in their indexed place beyond which ingest sheds load. */
    static final long MAX_STORE_BACKLOG = 1_000_000;

    /**
     * A heartbeat, or a batch written all or nothing in one transaction, waiting for the writer, with where to
     * answer once it is written (null in cached mode): the answerer's target, or a batch's own callback.
     */
    private record PendingWrite<T>(Heartbeat heartbeat, List<Heartbeat> batch, Context context, T target,
                                   Consumer<IngestOutcome> done, long startNanos) {
        int size() {
            return batch == null ? 1 : batch.size();
        }
    }

    private final AckMode mode;
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final HeartbeatStore store;
    private final WorkerMetrics metrics;
    private final GroupCommitter<PendingWrite<T>> writer;
    private final BiConsumer<T, IngestOutcome> answerer;
    private final StoreHealth health;
    private final NearIndex near;
    private final StreamHub streams;
    private final int capacity;
    /** Heartbeats queued for the writer, a batch counted by its size (the queue itself counts entries). */
    private final AtomicInteger queued = new AtomicInteger();

    IngestPipeline(WorkerConfig config, HeartbeatStore store, LatestCache latest, LatestCache byLabel,
                   NearIndex near, StreamHub streams, WorkerMetrics metrics, StoreHealth health,
                   BiConsumer<T, IngestOutcome> answerer) {
        this.near = near;
        this.streams = streams;
        this.health = health;
        this.capacity = config.ingest().queueCapacity();
        this.mode = config.ingest().ack();
        this.answerer = answerer;
        this.store = store;
        this.latest = latest;
        this.byLabel = byLabel;
        this.metrics = metrics;
        GroupCommitter.Policy policy = mode == AckMode.DURABLE
                ? GroupCommitter.Policy.immediate(config.ingest().queueCapacity(), config.ingest().maxBatch())
                : new GroupCommitter.Policy(config.ingest().queueCapacity(), Math.max(config.ingest().maxBatch(), config.ingest().cacheSize()),
                config.ingest().cacheSize(), config.ingest().flushInterval());
        this.writer = new GroupCommitter<>("tophat-writer", policy, this::write, this::completed);
    }

    /**
     * Takes a parsed heartbeat, on an event loop; its outcome goes to {@code target} now (cached, or refused) or
     * once it is committed (durable), on {@code context}.
     */
    public void submit(Heartbeat heartbeat, Context context, T target) {
        long start = System.nanoTime();
        boolean durable = mode == AckMode.DURABLE;
        PendingWrite<T> pending = new PendingWrite<>(heartbeat, null, durable ? context : null, durable ? target : null,
                null, start);
        IngestOutcome refused = enqueue(pending);
        if (refused != null) {
            metrics.rejected();
            answerer.accept(target, refused);
            return;
        }
        if (!durable) {
            remember(heartbeat);
            metrics.acknowledged(start);
            answerer.accept(target, IngestOutcome.ACCEPTED);
        }
    }

    /**
     * Takes a batch of heartbeats, stored all or nothing in one transaction; {@code done} gets the outcome on
     * {@code context}, as for a single heartbeat.
     */
    public void submitBatch(List<Heartbeat> batch, Context context, Consumer<IngestOutcome> done) {
        long start = System.nanoTime();
        boolean durable = mode == AckMode.DURABLE;
        PendingWrite<T> pending = new PendingWrite<>(null, List.copyOf(batch), durable ? context : null, null,
                durable ? done : null, start);
        IngestOutcome refused = enqueue(pending);
        if (refused != null) {
            metrics.rejected();
            done.accept(refused);
            return;
        }
        if (!durable) {
            batch.forEach(this::remember);
            metrics.acknowledged(start);
            done.accept(IngestOutcome.ACCEPTED);
        }
    }

    /** Queues the write; the reason it is refused, or null. */
    private IngestOutcome enqueue(PendingWrite<T> pending) {
        int size = pending.size();
        int after = queued.addAndGet(size);
        boolean room = after <= capacity || after == size;
        if (store.backlog() > MAX_STORE_BACKLOG || !room || !writer.offer(pending)) {
            queued.addAndGet(-size);
            return new IngestOutcome.Overloaded("the store is " + (store.backlog() <= MAX_STORE_BACKLOG
                    ? "behind: the write queue is full (" + capacity + " heartbeats)"
                    : "behind: " + store.backlog() + " heartbeats wait to be indexed") + "; retry shortly");
        }
        return null;
    }

    private void remember(Heartbeat heartbeat) {
        byte[] record = latest.offer(heartbeat.producer(), heartbeat);
        Location at = heartbeat.location();
        if (at.label() != null) {
            byLabel.offer(at.label(), heartbeat);
        } else if (at.lat() != null && at.lon() != null) {
            fileNear(heartbeat, record, near);
        }
    }

    /**
     * Files a heartbeat with coordinates in the near index: the record the latest cache now holds for it is shared
     * (the index reads the position from it), else (the cache kept a retry's first copy) a copy of the position.
     */
    static void fileNear(Heartbeat heartbeat, byte[] record, NearIndex near) {
        if (record != null) {
            near.offer(heartbeat.producer(), record, LatestCache.RECORDS);
        } else {
            Location at = heartbeat.location();
            near.offer(heartbeat.producer(), at.lat(), at.lon(), heartbeat.time());
        }
    }

    private void write(List<PendingWrite<T>> batch) {
        List<Heartbeat> heartbeats = new ArrayList<>(batch.size());
        for (PendingWrite<T> p : batch) {
            if (p.batch() == null) {
                heartbeats.add(p.heartbeat());
            } else {
                heartbeats.addAll(p.batch());
            }
        }
        long firstKey = store.append(heartbeats);
        streams.publish(heartbeats, firstKey);
    }

    private void completed(List<PendingWrite<T>> batch, Throwable failure) {
        int written = 0;
        for (PendingWrite<T> p : batch) {
            written += p.size();
        }
        queued.addAndGet(-written);
        if (failure == null) {
            health.succeeded();
        } else {
            health.failed();
        }
        if (mode == AckMode.CACHED) {
            if (failure == null && latest.size() >= latest.capacity() / 2) {
                latest.evictOlderHalf();
            }
            return;
        }
        answerByContext(batch, failure);
    }

    /**
     * One task per event loop for the whole batch, rather than one per heartbeat; the event loops, not the
     * writer, put the heartbeats in the latest cache and answer. The contexts are the server's few event loops.
     */
    private void answerByContext(List<PendingWrite<T>> batch, Throwable failure) {
        List<Context> contexts = new ArrayList<>(4);
        List<List<PendingWrite<T>>> groups = new ArrayList<>(4);
        for (PendingWrite<T> p : batch) {
            int i = contexts.indexOf(p.context());
            if (i < 0) {
                i = contexts.size();
                contexts.add(p.context());
                groups.add(new ArrayList<>(batch.size()));
            }
            groups.get(i).add(p);
        }
        for (int i = 0; i < contexts.size(); i++) {
            List<PendingWrite<T>> group = groups.get(i);
            contexts.get(i).runOnContext(v -> answer(group, failure));
        }
    }

    private void answer(List<PendingWrite<T>> writes, Throwable failure) {
        IngestOutcome failed = failure == null ? null : new IngestOutcome.StoreFailed(StoreException.conditionOf(failure));
        for (PendingWrite<T> p : writes) {
            if (failure == null) {
                if (p.batch() == null) {
                    remember(p.heartbeat());
                } else {
                    p.batch().forEach(this::remember);
                }
                for (int i = 0; i < p.size(); i++) {
                    metrics.acknowledged(p.startNanos());
                }
            } else {
                for (int i = 0; i < p.size(); i++) {
                    metrics.rejected();
                }
            }
            IngestOutcome outcome = failure == null ? IngestOutcome.STORED : failed;
            if (p.done() != null) {
                p.done().accept(outcome);
            } else {
                answerer.accept(p.target(), outcome);
            }
        }
    }

    /** Heartbeats waiting for the writer. */
    public int queueDepth() {
        return queued.get();
    }

    /** Writes everything queued, then stops the writer. */
    @Override
    public void close() {
        writer.flushSoon();
        writer.close();
    }
}
