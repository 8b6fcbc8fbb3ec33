package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.ErrorResponder;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;
import io.tophat.security.Access;
import io.tophat.security.Op;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The worker's read endpoints. The latest record comes from the cache, else from the store on a blocking
 * executor (never on the event loop); what the store returns is put back in the cache. A cached latest is served
 * ahead of the router ({@link #fastLatest}), written straight from its packed form.
 */
final class ReadHandlers {
    static final String SEED_DATA = "/get_data/";
    static final String RECORD = "/api/v1/producers/";

    private final Access access;
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final HeartbeatStore store;
    private final WorkerExecutor storeReads;

    ReadHandlers(Access access, LatestCache latest, LatestCache byLabel, HeartbeatStore store,
                 WorkerExecutor storeReads) {
        this.access = access;
        this.latest = latest;
        this.byLabel = byLabel;
        this.store = store;
        this.storeReads = storeReads;
    }

    /**
     * {@code GET /get_data/{id}} and {@code GET /api/v1/producers/{id}} of a producer whose latest the cache holds,
     * answered ahead of the router with what {@link #seedData} and {@link #record} would answer; false hands any
     * other request under those prefixes (another method, a longer path, an escaped or invalid id, a producer not
     * cached) to the router, which has not yet checked its credential.
     */
    boolean fastLatest(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            return false;
        }
        String path = request.path();
        boolean seed = path.startsWith(SEED_DATA);
        String id = path.substring(seed ? SEED_DATA.length() : RECORD.length());
        byte[] cached = ProducerId.isValid(id) ? latest.record(id) : null;
        if (cached == null) {
            return false;
        }
        try {
            access.requireConsumer(request, Op.READ, id);
        } catch (ApiException refused) {
            ErrorResponder.send(request.response(), refused);
            return true;
        }
        Responses.json(request.response(), 200, seed ? data(cached) : fullRecord(id, cached));
        return true;
    }

    private static Buffer data(byte[] cached) {
        int from = CompactRecord.dataOffset(cached);
        return Buffer.buffer(cached.length - from).appendBytes(cached, from, cached.length - from);
    }

    private static Buffer fullRecord(String id, byte[] cached) {
        byte[] json = CompactRecord.json(id, cached);
        return Buffer.buffer(json != null ? json : HeartbeatJson.encode(CompactRecord.decode(id, cached)));
    }

    /** Seed {@code GET /get_data/{id}}: the producer's latest data; 400 when there is none. */
    void seedData(RoutingContext rc) {
        String id = producerId(rc);
        byte[] cached = latest.record(id);
        if (cached != null) {
            Responses.json(rc.response(), 200, data(cached));
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
