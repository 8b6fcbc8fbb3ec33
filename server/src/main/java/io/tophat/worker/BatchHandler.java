package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.BoundedBody;
import io.tophat.http.ErrorResponder;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.ProducerId;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /api/v1/producers/{id}/heartbeats}: up to {@value #MAX_ITEMS} heartbeats of one producer in any
 * order (a phone's offline buffer), at most {@value #MAX_BODY_BYTES} bytes, stored all or nothing in one
 * transaction under the same acknowledgement as single heartbeats. A heartbeat whose (producer, seq) is already
 * stored, or comes twice in the batch, is a duplicate: counted, not stored again. Refused as single heartbeats
 * are: while draining or stepped aside (410), or when the producer was moved away (409).
 */
final class BatchHandler {
    static final int MAX_ITEMS = 1000;
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final Vertx vertx;
    private final HeartbeatParser parser;
    private final IngestPipeline<?> ingest;
    private final HeartbeatStore store;
    private final WorkerExecutor storeReads;
    private final Fence fence;
    private final BooleanSupplier draining;
    private final StoreHealth storeHealth;
    private final WorkerMetrics metrics;

    BatchHandler(Vertx vertx, WorkerConfig.Ingest config, IngestPipeline<?> ingest, HeartbeatStore store,
                 WorkerExecutor storeReads, Fence fence, BooleanSupplier draining, StoreHealth storeHealth,
                 WorkerMetrics metrics, io.tophat.security.Access access) {
        this.access = access;
        this.metrics = metrics;
        this.vertx = vertx;
        this.parser = new HeartbeatParser(config.maxClockSkew());
        this.ingest = ingest;
        this.store = store;
        this.storeReads = storeReads;
        this.fence = fence;
        this.draining = draining;
        this.storeHealth = storeHealth;
    }

    private final io.tophat.security.Access access;

    void batch(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String id = rc.pathParam("id");
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        access.requireProducer(request, id);
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/json", 0, 16)) {
            throw WorkerErrors.notJson();
        }
        BoundedBody.read(request, MAX_BODY_BYTES).onComplete(body -> {
            try {
                if (body.failed()) {
                    ErrorResponder.fail(request, body.cause());
                    return;
                }
                List<Heartbeat> items;
                try {
                    items = parser.parseBatch(body.result().getBytes(), id, request.remoteAddress().hostAddress(),
                            System.currentTimeMillis(), MAX_ITEMS);
                } catch (HeartbeatRejected e) {
                    metrics.rejected();
                    throw WorkerErrors.rejected(e, false);
                }
                admit(id);
                store(rc, id, items);
            } catch (RuntimeException e) {
                ErrorResponder.fail(request, e);
            }
        });
    }

    private void admit(String id) {
        if (draining.getAsBoolean()) {
            throw WorkerErrors.draining();
        }
        long asideMs = storeHealth.steppedAsideMs();
        if (asideMs > 0) {
            throw WorkerErrors.cannotStore(asideMs);
        }
        Long movedAt = fence.admit(id);
        if (movedAt != null) {
            throw WorkerErrors.fenced(id, movedAt);
        }
    }

    private void store(RoutingContext rc, String id, List<Heartbeat> items) {
        Set<Long> seqs = new HashSet<>();
        Long maxSeq = null;
        for (Heartbeat hb : items) {
            if (hb.seq() != null) {
                seqs.add(hb.seq());
                maxSeq = maxSeq == null ? hb.seq() : Math.max(maxSeq, hb.seq());
            }
        }
        Long highest = maxSeq;
        var context = vertx.getOrCreateContext();
        storeReads.<Set<Long>>executeBlocking(() -> store.storedSeqs(id, seqs), false)
                .recover(e -> Future.failedFuture(WorkerErrors.storeUnavailable(e)))
                .onSuccess(stored -> {
                    List<Heartbeat> fresh = new ArrayList<>(items.size());
                    Set<Long> taken = new HashSet<>(stored);
                    for (Heartbeat hb : items) {
                        if (hb.seq() == null || taken.add(hb.seq())) {
                            fresh.add(hb);
                        }
                    }
                    int duplicates = items.size() - fresh.size();
                    if (fresh.isEmpty()) {
                        answer(rc, "stored", 0, duplicates, highest);
                        return;
                    }
                    ingest.submitBatch(fresh, context, outcome -> {
                        if (outcome instanceof IngestOutcome.Stored || outcome instanceof IngestOutcome.Accepted) {
                            answer(rc, outcome instanceof IngestOutcome.Stored ? "stored" : "accepted", fresh.size(),
                                    duplicates, highest);
                        } else if (outcome instanceof IngestOutcome.Overloaded o) {
                            ErrorResponder.send(rc.response(), WorkerErrors.overloaded(o));
                        } else if (outcome instanceof IngestOutcome.StoreFailed f) {
                            ErrorResponder.send(rc.response(), WorkerErrors.notStored(f));
                        }
                    });
                }).onFailure(rc::fail);
    }

    private static void answer(RoutingContext rc, String status, int stored, int duplicates, Long maxSeq) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("stored", stored);
        body.put("duplicates", duplicates);
        body.put("max_seq", maxSeq);
        Responses.json(rc.response(), 200, body);
    }
}
