package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.ErrorResponder;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.batching.GroupCommitter;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * The ingest path after parsing: latest cache and the one batching writer. With {@link AckMode#DURABLE} a
 * heartbeat is answered after its batch commits, and enters the cache then; with {@link AckMode#CACHED} it
 * enters the cache and is answered at once, and the writer flushes when {@code cacheSize} heartbeats are
 * pending or the flush interval has passed, then drops the older half of a full cache. A full write queue
 * answers 503 with Retry-After.
 */
public final class IngestPipeline implements AutoCloseable {
    private static final Buffer STORED = Buffer.buffer("{\"status\":\"stored\"}");
    private static final Buffer ACCEPTED = Buffer.buffer("{\"status\":\"accepted\"}");
    /** Heartbeats committed but not yet in their indexed place beyond which ingest sheds load. */
    static final long MAX_STORE_BACKLOG = 1_000_000;

    /** A heartbeat waiting for the writer, with where to answer once it is written (null in cached mode). */
    private record PendingWrite(Heartbeat heartbeat, Context context, HttpServerResponse response, long startNanos) {
    }

    private final AckMode mode;
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final HeartbeatStore store;
    private final WorkerMetrics metrics;
    private final GroupCommitter<PendingWrite> writer;

    public IngestPipeline(WorkerConfig config, HeartbeatStore store, LatestCache latest, LatestCache byLabel,
                          WorkerMetrics metrics) {
        this.mode = config.ack();
        this.store = store;
        this.latest = latest;
        this.byLabel = byLabel;
        this.metrics = metrics;
        GroupCommitter.Policy policy = mode == AckMode.DURABLE
                ? GroupCommitter.Policy.immediate(config.queueCapacity(), config.maxBatch())
                : new GroupCommitter.Policy(config.queueCapacity(), Math.max(config.maxBatch(), config.cacheSize()),
                config.cacheSize(), config.flushInterval());
        this.writer = new GroupCommitter<>("tophat-writer", policy, this::write, this::completed);
    }

    /** Takes a parsed heartbeat; answers on {@code response} now (cached) or once it is committed (durable). */
    public void submit(Heartbeat heartbeat, Context context, HttpServerResponse response) {
        long start = System.nanoTime();
        boolean durable = mode == AckMode.DURABLE;
        PendingWrite pending = durable
                ? new PendingWrite(heartbeat, context, response, start)
                : new PendingWrite(heartbeat, null, null, start);
        if (store.backlog() > MAX_STORE_BACKLOG || !writer.offer(pending)) {
            metrics.rejected();
            ErrorResponder.send(response, ApiException.unavailable("worker overloaded",
                    "the store is " + (writer.depth() >= writer.capacity() ? "behind: the write queue is full ("
                            + writer.capacity() + " heartbeats)" : "behind: " + store.backlog()
                            + " heartbeats wait to be indexed") + "; retry shortly", 1));
            return;
        }
        if (!durable) {
            remember(heartbeat);
            metrics.acknowledged(start);
            Responses.json(response, 200, ACCEPTED);
        }
    }

    private void remember(Heartbeat heartbeat) {
        latest.offer(heartbeat.producer(), heartbeat);
        if (heartbeat.location().label() != null) {
            byLabel.offer(heartbeat.location().label(), heartbeat);
        }
    }

    private void write(List<PendingWrite> batch) {
        List<Heartbeat> heartbeats = new ArrayList<>(batch.size());
        for (PendingWrite p : batch) {
            heartbeats.add(p.heartbeat());
        }
        store.append(heartbeats);
    }

    private void completed(List<PendingWrite> batch, Throwable failure) {
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
    private void answerByContext(List<PendingWrite> batch, Throwable failure) {
        List<Context> contexts = new ArrayList<>(4);
        List<List<PendingWrite>> groups = new ArrayList<>(4);
        for (PendingWrite p : batch) {
            int i = contexts.indexOf(p.context());
            if (i < 0) {
                i = contexts.size();
                contexts.add(p.context());
                groups.add(new ArrayList<>(batch.size()));
            }
            groups.get(i).add(p);
        }
        for (int i = 0; i < contexts.size(); i++) {
            List<PendingWrite> group = groups.get(i);
            contexts.get(i).runOnContext(v -> answer(group, failure));
        }
    }

    private void answer(List<PendingWrite> writes, Throwable failure) {
        for (PendingWrite p : writes) {
            if (failure == null) {
                remember(p.heartbeat());
                metrics.acknowledged(p.startNanos());
                Responses.json(p.response(), 200, STORED);
            } else {
                metrics.rejected();
                ErrorResponder.send(p.response(), ApiException.unavailable("store unavailable",
                        "the heartbeat was not stored: " + failure.getMessage(), 1));
            }
        }
    }

    public int queueDepth() {
        return writer.depth();
    }

    /** Writes everything queued, then stops the writer. */
    @Override
    public void close() {
        writer.flushSoon();
        writer.close();
    }
}
