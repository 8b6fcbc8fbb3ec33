package io.tophat.balancer;

import io.tophat.history.HistoryFormat;
import io.tophat.history.HistoryRequest;
import io.tophat.protocol.Heartbeat;
import io.tophat.stream.EventSink;
import io.tophat.stream.SseSink;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamLimits;
import io.tophat.stream.StreamOutbox;
import io.tophat.stream.StreamRequest;
import io.tophat.stream.StreamToken;
import io.tophat.stream.WebSocketSink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster-wide streams on the balancer: {@code GET /api/v1/producers/{id}/stream}, {@code GET /api/v1/stream}
 * (with {@code ?producers=a,b,c}, or every producer) as Server-Sent Events, and {@code /api/v1/producers/{id}/ws},
 * {@code /api/v1/ws} as WebSocket. Each subscriber gets a {@link ClusterStream} over every live worker, so a producer
 * that moves to another worker (drain, fail-over) stays in its stream, and a token resumes it across all stores.
 */
final class StreamHandlers implements AutoCloseable {
    /** The heartbeats of one producer in one millisecond a copy is looked for among. */
    private static final int COPIES_PAGE = 100;

    private final Vertx vertx;
    private final Balancer balancer;
    private final WorkerClient workers;
    private final StreamLimits limits;
    private final HttpClient http;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final AtomicLong lagged = new AtomicLong();

    /** The balancer's own Authorization header for its subscriptions (null when open); it filters by scope itself. */
    private final String authorization;

    StreamHandlers(Vertx vertx, Balancer balancer, WorkerClient workers, StreamLimits limits, String authorization,
                   io.tophat.http.TlsConfig tls) {
        this.authorization = authorization;
        this.vertx = vertx;
        this.balancer = balancer;
        this.workers = workers;
        this.limits = limits;
        this.http = streamClient(vertx, limits, tls);
    }

    /**
     * The client of workers' streams: connections held as long as a stream is, as many as there are
     * subscriptions, and one that hears nothing for three keep-alive intervals counts as dead; HTTPS trusting as
     * {@code tls} says.
     */
    static HttpClient streamClient(Vertx vertx, StreamLimits limits, io.tophat.http.TlsConfig tls) {
        int idleSeconds = (int) Math.max(1, limits.keepAlive().toSeconds() * 3);
        return vertx.createHttpClient(tls.client(new HttpClientOptions().setConnectTimeout((int) WorkerClient.TIMEOUT_MS)
                .setIdleTimeout(idleSeconds).setKeepAlive(false)), new PoolOptions().setHttp1MaxSize(100_000));
    }

    void sse(RoutingContext rc) {
        StreamFilter filter = StreamRequest.filter(rc);
        StreamToken from = StreamRequest.token(rc);
        relay(filter, from, SseSink.start(rc.request()));
    }

    void webSocket(RoutingContext rc) {
        StreamFilter filter = StreamRequest.filter(rc);
        StreamRequest.requireWebSocket(rc);
        StreamToken from = StreamRequest.token(rc);
        rc.request().toWebSocket().onSuccess(ws -> relay(filter, from, new WebSocketSink(ws))).onFailure(rc::fail);
    }

    int subscribers() {
        return subscribers.get();
    }

    long laggedTotal() {
        return lagged.get();
    }

    /** Sends the merged stream to one subscriber, each event with the token after it. */
    private void relay(StreamFilter filter, StreamToken from, EventSink sink) {
        String startId = from.positions().isEmpty() ? null : from.encode();
        StreamOutbox out = new StreamOutbox(vertx, sink, limits, startId);
        ClusterStream stream = new ClusterStream(vertx, balancer.membership(), balancer::storesOf, this::deliveredBefore,
                http, authorization, filter, from, new ClusterStream.Listener() {
            @Override
            public void heartbeat(Heartbeat heartbeat, String record, StreamToken after) {
                String id = after.encode();
                out.send(sink.frame("heartbeat", id, record), id);
            }

            @Override
            public void position(StreamToken at) {
                String id = at.encode();
                out.send(sink.frame(null, id, null), id);
            }

            @Override
            public void incomplete(List<String> missing) {
                String names = String.join(", ", missing);
                out.send(sink.frame("incomplete", null, completeness(missing, "the stores of " + names + " cannot be"
                        + " streamed now (no live worker reads them, or one is back and replays them): what they hold"
                        + " that this stream has not delivered comes once they are back, maybe after later heartbeats"
                        + " of their producers")), null);
            }

            @Override
            public void complete() {
                out.send(sink.frame("complete", null, completeness(List.of(), "every store is followed again and"
                        + " has given what it held")), null);
            }
        });
        subscribers.incrementAndGet();
        out.onClose(() -> {
            subscribers.decrementAndGet();
            if (out.lagging()) {
                lagged.incrementAndGet();
            }
            stream.stop();
        });
        stream.start();
    }

    /**
     * Whether another store than {@code store} holds a copy of {@code hb} at or before its key in {@code at}, so the
     * subscriber has had it: asks a live worker of each such store that ever held the producer for its history at
     * that time. A store that cannot be asked counts as not holding one.
     */
    private Future<Boolean> deliveredBefore(Heartbeat hb, String store, StreamToken at) {
        List<Future<Boolean>> asks = new ArrayList<>();
        WorkerClient.Row event = new WorkerClient.Row(hb, -1, store);
        HistoryRequest atTime = new HistoryRequest(hb.producer(), hb.time(), hb.time() + 1, COPIES_PAGE, false, null,
                HistoryFormat.JSON);
        for (String other : balancer.storesOf(hb.producer())) {
            long upTo = at.keyIn(other);
            Member reader = other.equals(store) || upTo < 0 ? null : balancer.readerOf(other, hb.producer());
            if (reader != null) {
                asks.add(workers.history(reader.url(), other, atTime, null, COPIES_PAGE)
                        .map(page -> page.rows().stream().anyMatch(r -> r.copyOf(event) && r.key() <= upTo))
                        .otherwise(false));
            }
        }
        return Future.all(asks).map(all -> asks.stream().anyMatch(Future::result));
    }

    /** The data of {@code incomplete} and {@code complete}: {@code {"missing": [host:port, ...], "detail"}}. */
    private static String completeness(List<String> missing, String detail) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("missing", missing);
        data.put("detail", detail);
        try {
            return io.tophat.http.Responses.MAPPER.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a stream's completeness", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
