package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The worker's read endpoints. The latest record comes from the cache, else from the store on a blocking
 * executor (never on the event loop); what the store returns is put back in the cache.
 */
final class ReadHandlers {
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final HeartbeatStore store;
    private final WorkerExecutor storeReads;

    ReadHandlers(LatestCache latest, LatestCache byLabel, HeartbeatStore store, WorkerExecutor storeReads) {
        this.latest = latest;
        this.byLabel = byLabel;
        this.store = store;
        this.storeReads = storeReads;
    }

    /** Seed {@code GET /get_data/{id}}: the producer's latest data; 400 when there is none. */
    void seedData(RoutingContext rc) {
        String id = producerId(rc);
        byte[] cached = latest.record(id);
        if (cached != null) {
            int from = CompactRecord.dataOffset(cached);
            Responses.json(rc.response(), 200, Buffer.buffer(cached.length - from)
                    .appendBytes(cached, from, cached.length - from));
            return;
        }
        latestOf(id).onSuccess(hb -> {
            if (hb == null) {
                rc.fail(ApiException.badRequest("Producer does not exist", "no data from producer " + id));
            } else {
                Responses.json(rc.response(), 200, Buffer.buffer(hb.data()));
            }
        }).onFailure(rc::fail);
    }

    /** {@code GET /api/v1/producers/{id}}: the full latest record; 404 when there is none. */
    void record(RoutingContext rc) {
        String id = producerId(rc);
        latestOf(id).onSuccess(hb -> {
            if (hb == null) {
                rc.fail(ApiException.notFound("unknown producer", "no heartbeat from producer " + id));
            } else {
                Responses.json(rc.response(), 200, Buffer.buffer(HeartbeatJson.encode(hb)));
            }
        }).onFailure(rc::fail);
    }

    /** Seed {@code GET /get_data_location/{location}}: the latest data sent from that location string. */
    void locationData(RoutingContext rc) {
        String label = rc.pathParam("location");
        if (label == null || label.isEmpty() || label.length() > 256) {
            throw ApiException.badRequest("invalid location", "give a location string of 1 to 256 characters");
        }
        Heartbeat cached = byLabel.get(label);
        Future<Heartbeat> found = cached != null ? Future.succeededFuture(cached)
                : blocking(() -> store.latestAtLabel(label).orElse(null));
        found.onSuccess(hb -> {
            if (hb == null || !io.tophat.security.Access.caller(rc).allows(hb.producer())) {
                rc.fail(ApiException.badRequest("No data for this location", "nothing was sent from '"
                        + io.tophat.http.WireText.echo(label) + "'"));
            } else {
                byLabel.offer(label, hb);
                Responses.json(rc.response(), 200, Buffer.buffer(hb.data()));
            }
        }).onFailure(rc::fail);
    }

    /**
     * {@code GET /api/v1/producers?after=&seen_since=&limit=}: the producers this worker's store holds, by id, with
     * the time of their latest heartbeat (the balancer's producer list asks every worker).
     */
    void producers(RoutingContext rc) {
        String after = rc.queryParams().get("after");
        long seenSince = io.tophat.history.HistoryRequest.time(rc.queryParams().get("seen_since"), "seen_since",
                Long.MIN_VALUE);
        int max = io.tophat.http.QueryParams.limit(rc.queryParams().get("limit"), 1000, 10_000);
        blocking(() -> store.producers(after == null || after.isEmpty() ? null : after, seenSince, max)).onSuccess(list -> {
            List<java.util.Map<String, Object>> producers = new java.util.ArrayList<>(list.size());
            io.tophat.security.Caller caller = io.tophat.security.Access.caller(rc);
            for (io.tophat.store.ProducerSeen p : list) {
                if (!caller.allows(p.producer())) {
                    continue;
                }
                producers.add(java.util.Map.of("id", p.producer(), "last_seen", p.lastSeen()));
            }
            Responses.json(rc.response(), 200, java.util.Map.of("producers", producers));
        }).onFailure(rc::fail);
    }

    private Future<Heartbeat> latestOf(String id) {
        Heartbeat cached = latest.get(id);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        return blocking(() -> {
            Optional<Heartbeat> stored = store.latest(id);
            stored.ifPresent(hb -> latest.offer(id, hb));
            return stored.orElse(null);
        });
    }

    private <T> Future<T> blocking(Callable<T> read) {
        return storeReads.<T>executeBlocking(read, false).recover(e -> Future.failedFuture(WorkerErrors.storeUnavailable(e)));
    }

    private static String producerId(RoutingContext rc) {
        String id = rc.pathParam("id");
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        return id;
    }
}
