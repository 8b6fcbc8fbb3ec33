package io.tophat.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gets a system ready for a read or redirect run: registers each producer with the balancer (the seed
 * {@code GET /register/{id}}) and sends it one heartbeat, to the worker the balancer named or to a given worker.
 * Not on any measured path: {@value #IN_FLIGHT} requests at a time, plain futures.
 */
final class Preloader {
    static final int IN_FLIGHT = 32;
    private static final long TIMEOUT_MS = 30_000;

    private final Vertx vertx;
    private final HttpClientAgent http;

    Preloader(Vertx vertx) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) TIMEOUT_MS),
                new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    }

    /**
     * Registers every producer with {@code balancer} (when not null) and posts one heartbeat each, to the worker
     * the balancer assigned or, without a balancer, to {@code worker}. Completes when all are acknowledged.
     */
    Future<Void> preload(URI balancer, URI worker, ProducerIds producers, HeartbeatMix heartbeats) {
        AtomicInteger next = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger running = new AtomicInteger(Math.min(IN_FLIGHT, producers.count()));
        for (int lane = 0; lane < Math.min(IN_FLIGHT, producers.count()); lane++) {
            lane(next, producers, balancer, worker, heartbeats).onComplete(ar -> {
                if (ar.failed()) {
                    done.tryFail(ar.cause());
                } else if (running.decrementAndGet() == 0) {
                    done.tryComplete();
                }
            });
        }
        return done.future();
    }

    private Future<Void> lane(AtomicInteger next, ProducerIds producers, URI balancer, URI worker, HeartbeatMix heartbeats) {
        int i = next.getAndIncrement();
        if (i >= producers.count()) {
            return Future.succeededFuture();
        }
        String id = producers.idText(i);
        String token = heartbeats.token(i);
        String query = token == null ? "" : "?token=" + token;
        Future<String> workerUrl = balancer == null ? Future.succeededFuture(worker.toString())
                : call(HttpMethod.GET, balancer + "/register/" + id + query, null, "register producer " + id)
                .map(text -> text.trim());
        return workerUrl
                .compose(url -> call(HttpMethod.POST, url + "/heartbeat" + query, Buffer.buffer(heartbeats.bodyFor(i)),
                        "heartbeat of producer " + id))
                .compose(ok -> lane(next, producers, balancer, worker, heartbeats));
    }

    /** One request; fails unless the answer is 2xx. Completes with the answer's body as text. */
    Future<String> call(HttpMethod method, String absoluteUri, Buffer body, String what) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(absoluteUri)
                .setIdleTimeout(TIMEOUT_MS);
        if (body != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        return http.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().compose(b -> check(resp, b, what, absoluteUri)));
    }

    private static Future<String> check(HttpClientResponse resp, Buffer body, String what, String uri) {
        if (resp.statusCode() / 100 == 2) {
            return Future.succeededFuture(body.toString());
        }
        String text = body.toString();
        return Future.failedFuture(new IllegalStateException(what + " failed: " + uri + " answered " + resp.statusCode()
                + " " + text.substring(0, Math.min(200, text.length()))));
    }

    /** Blocks until {@code future} completes (callers are never on an event loop). */
    static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.toCompletionStage().toCompletableFuture()
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getMessage(), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("gave up after " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    Future<Void> close() {
        return http.close();
    }

    Vertx vertx() {
        return vertx;
    }
}
