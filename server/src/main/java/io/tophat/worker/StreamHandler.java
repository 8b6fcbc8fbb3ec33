package io.tophat.worker;

import io.tophat.store.HeartbeatStore;
import io.tophat.stream.EventSink;
import io.tophat.stream.SseSink;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamLimits;
import io.tophat.stream.StreamOutbox;
import io.tophat.stream.StreamRequest;
import io.tophat.stream.StreamToken;
import io.tophat.stream.WebSocketSink;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;

/**
 * A worker's streams of the heartbeats it stores: {@code GET /api/v1/stream[?producers=a,b]} and
 * {@code GET /api/v1/producers/{id}/stream} as Server-Sent Events, {@code /api/v1/ws} and
 * {@code /api/v1/producers/{id}/ws} as WebSocket. {@code after} (or {@code Last-Event-ID}) resumes from a token.
 * The balancer subscribes here for its cluster-wide streams.
 */
final class StreamHandler {
    private final Vertx vertx;
    private final StreamHub hub;
    private final HeartbeatStore store;
    private final WorkerExecutor reads;
    private final StreamLimits limits;

    StreamHandler(Vertx vertx, StreamHub hub, HeartbeatStore store, WorkerExecutor reads, StreamLimits limits) {
        this.vertx = vertx;
        this.hub = hub;
        this.store = store;
        this.reads = reads;
        this.limits = limits;
    }

    void sse(RoutingContext rc) {
        StreamFilter filter = StreamRequest.filter(rc);
        StreamToken token = StreamRequest.token(rc);
        subscribe(filter, token, SseSink.start(rc.request()));
    }

    void webSocket(RoutingContext rc) {
        StreamFilter filter = StreamRequest.filter(rc);
        StreamRequest.requireWebSocket(rc);
        StreamToken token = StreamRequest.token(rc);
        rc.request().toWebSocket().onSuccess(ws -> subscribe(filter, token, new WebSocketSink(ws)))
                .onFailure(rc::fail);
    }

    private void subscribe(StreamFilter filter, StreamToken token, EventSink sink) {
        StreamOutbox out = new StreamOutbox(vertx, sink, limits, null);
        new StreamSubscription(hub, store, reads, filter, vertx.getOrCreateContext(), sink, out, limits.bufferEvents())
                .start(token);
    }
}
