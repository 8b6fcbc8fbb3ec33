package io.tophat.worker;

import io.tophat.http.BoundedBody;
import io.tophat.http.ErrorResponder;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.BooleanSupplier;

/**
 * The ingest endpoints, served ahead of the router: {@code POST /heartbeat} (the seed protocol, where every bad
 * body is 400) and {@code POST /api/v1/heartbeats} (JSON only; content errors are 422). Reads the bounded body,
 * parses it, refuses it while the worker drains, while its store fails writes past the threshold, or when the
 * producer was moved away (fencing), and hands it to
 * the ingest pipeline, and answers each outcome as {@link WorkerErrors} says.
 */
final class IngestHandler {
    private static final Buffer STORED = Buffer.buffer("{\"status\":\"stored\"}");
    private static final Buffer ACCEPTED = Buffer.buffer("{\"status\":\"accepted\"}");

    private final Vertx vertx;
    private final int maxBodyBytes;
    private final HeartbeatParser parser;
    private final IngestPipeline<HttpServerResponse> ingest;
    private final Fence fence;
    private final WorkerMetrics metrics;
    private final BooleanSupplier draining;
    private final StoreHealth storeHealth;
    private final io.tophat.security.Access access;
    private volatile long lastHeartbeatNanos = System.nanoTime();

    IngestHandler(Vertx vertx, WorkerConfig.Ingest config, IngestPipeline<HttpServerResponse> ingest, Fence fence,
                  WorkerMetrics metrics, BooleanSupplier draining, StoreHealth storeHealth,
                  io.tophat.security.Access access) {
        this.access = access;
        this.storeHealth = storeHealth;
        this.vertx = vertx;
        this.maxBodyBytes = config.maxBodyBytes();
        this.parser = new HeartbeatParser(config.maxClockSkew());
        this.ingest = ingest;
        this.fence = fence;
        this.metrics = metrics;
        this.draining = draining;
    }

    void seed(HttpServerRequest request) {
        serve(request, true);
    }

    void v1(HttpServerRequest request) {
        serve(request, false);
    }

    /** When the last heartbeat came, on {@link System#nanoTime()}'s clock. */
    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    private void serve(HttpServerRequest request, boolean seed) {
        if (request.method() != HttpMethod.POST) {
            ErrorResponder.send(request.response(), WorkerErrors.notPost());
            return;
        }
        BoundedBody.read(request, maxBodyBytes).onComplete(body -> {
            try {
                if (body.failed()) {
                    ErrorResponder.fail(request, body.cause());
                } else {
                    heartbeat(request, body.result(), seed);
                }
            } catch (RuntimeException e) {
                ErrorResponder.fail(request, e);
            }
        });
    }

    private void heartbeat(HttpServerRequest request, Buffer body, boolean seed) {
        if (!seed && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw WorkerErrors.notJson();
        }
        lastHeartbeatNanos = System.nanoTime();
        Heartbeat hb;
        try {
            hb = parser.parse(body.getBytes(), request.remoteAddress().hostAddress(), System.currentTimeMillis());
        } catch (HeartbeatRejected e) {
            metrics.rejected();
            throw WorkerErrors.rejected(e, seed);
        }
        access.requireProducer(request, hb.producer());
        if (draining.getAsBoolean()) {
            throw WorkerErrors.draining();
        }
        long asideMs = storeHealth.steppedAsideMs();
        if (asideMs > 0) {
            throw WorkerErrors.cannotStore(asideMs);
        }
        Long movedAt = fence.admit(hb.producer());
        if (movedAt != null) {
            throw WorkerErrors.fenced(hb.producer(), movedAt);
        }
        ingest.submit(hb, vertx.getOrCreateContext(), request.response());
    }

    /** The HTTP answer to how the pipeline settled a heartbeat (the pipeline's answerer). */
    static void answer(HttpServerResponse response, IngestOutcome outcome) {
        if (outcome instanceof IngestOutcome.Stored) {
            Responses.json(response, 200, STORED);
        } else if (outcome instanceof IngestOutcome.Accepted) {
            Responses.json(response, 200, ACCEPTED);
        } else if (outcome instanceof IngestOutcome.Overloaded o) {
            ErrorResponder.send(response, WorkerErrors.overloaded(o));
        } else if (outcome instanceof IngestOutcome.StoreFailed f) {
            ErrorResponder.send(response, WorkerErrors.notStored(f));
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "application/json", 0, 16);
    }
}
