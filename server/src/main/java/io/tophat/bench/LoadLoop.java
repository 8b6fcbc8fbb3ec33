package io.tophat.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.ArrayDeque;

/**
 * One event loop's share of a load run: its connections, each carrying one request at a time. Everything
 * here runs on that event loop; the only allocations per request are the HTTP client's own.
 *
 * <p>Closed loop: a connection sends its next request as soon as the previous one is answered. Open loop:
 * request {@code k} of this loop is due at {@code start + k * interval}; a 1 ms ticker and every answer send
 * what is due on idle connections, and latency counts from the due time, so time spent waiting for a free
 * connection is measured (coordinated omission corrected, as wrk2 does).
 */
final class LoadLoop extends VerticleBase {
    private static final long CONNECT_RETRY_MS = 10;

    private final LoadPlan plan;
    private final int index;
    private final int loops;
    private final int connectionCount;
    private final long quota;
    private final double intervalNanos;
    private final LoopCounters counters = new LoopCounters();
    private final Promise<Void> finished = Promise.promise();
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();

    private HttpClientAgent client;
    private HttpConnectOptions connectOptions;
    private long startNanos;
    private long issued;
    private long settled;
    private volatile long lastSettledNanos;
    private boolean stopped;
    private long ticker = -1;

    /** @param index this loop's number among {@code loops}; it takes every {@code loops}-th connection and request */
    LoadLoop(LoadPlan plan, int index, int loops) {
        this.plan = plan;
        this.index = index;
        this.loops = loops;
        this.connectionCount = share(plan.connections(), index, loops);
        this.quota = plan.counted() ? share(plan.requests(), index, loops) : Long.MAX_VALUE;
        this.intervalNanos = plan.openLoop() ? 1e9 * loops / plan.rate() : 0;
    }

    private static int share(long total, int index, int parts) {
        return (int) (total / parts + (index < total % parts ? 1 : 0));
    }

    LoopCounters counters() {
        return counters;
    }

    /** Completes when every request of a counted run has its answer or failure. */
    Future<Void> finished() {
        return finished.future();
    }

    long startNanos() {
        return startNanos;
    }

    long lastSettledNanos() {
        return lastSettledNanos;
    }

    @Override
    public Future<?> start() {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, plan.timeout().toMillis());
        client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(plan.keepAlive())
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout(timeoutMs)
                .setDecompressionSupported(false), new PoolOptions().setHttp1MaxSize(1));
        connectOptions = new HttpConnectOptions().setHost(plan.target().getHost()).setPort(plan.target().getPort())
                .setConnectTimeout(timeoutMs);
        startNanos = System.nanoTime();
        lastSettledNanos = startNanos;
        if (quota == 0) {
            finished.tryComplete();
        }
        for (int i = 0; i < connectionCount; i++) {
            Conn conn = new Conn(timeoutMs);
            if (plan.openLoop() && plan.keepAlive()) {
                conn.warm();
            } else {
                next(conn);
            }
        }
        if (plan.openLoop()) {
            ticker = vertx.setPeriodic(1, id -> dispatchDue());
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        return client.close();
    }

    /**
     * Stops sending: from now on answers are not counted. In an open loop, every request that was due by
     * {@code endNanos} but never sent is counted as unsent, with the time it has waited as its latency.
     */
    Future<Void> halt(long endNanos) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            if (!stopped) {
                stopped = true;
                if (ticker >= 0) {
                    vertx.cancelTimer(ticker);
                }
                if (plan.openLoop()) {
                    for (long due = dueBy(endNanos); issued < due; issued++) {
                        counters.unsent(endNanos - intended(issued));
                    }
                }
            }
            done.complete();
        });
        return done.future();
    }

    private long dueBy(long now) {
        return now < startNanos ? 0 : (long) ((now - startNanos) / intervalNanos) + 1;
    }

    private long intended(long k) {
        return startNanos + (long) (k * intervalNanos);
    }

    private void dispatchDue() {
        if (stopped) {
            return;
        }
        long due = dueBy(System.nanoTime());
        while (issued < due && !idle.isEmpty()) {
            begin(idle.pop(), intended(issued));
        }
    }

    /** {@code conn} is free: give it its next request, or let it wait. */
    private void next(Conn conn) {
        if (stopped) {
            conn.drop();
        } else if (plan.openLoop()) {
            if (issued < dueBy(System.nanoTime())) {
                begin(conn, intended(issued));
            } else {
                idle.push(conn);
            }
        } else if (issued < quota) {
            begin(conn, System.nanoTime());
        } else {
            conn.drop();
        }
    }

    private void begin(Conn conn, long start) {
        long n = issued++ * loops + index;
        conn.begin(n, start);
    }

    private void settle(long now) {
        lastSettledNanos = now;
        if (++settled == quota) {
            finished.tryComplete();
        }
    }

    /** One connection and the request it carries. */
    private final class Conn {
        private final RequestOptions options;
        private final Buffer body;
        private final Handler<AsyncResult<HttpClientConnection>> onConnect = this::connected;
        private final Handler<AsyncResult<HttpClientRequest>> onRequest = this::requestReady;
        private final Handler<AsyncResult<HttpClientResponse>> onResponse = this::responded;
        private final Handler<AsyncResult<Void>> onEnd = this::ended;
        private final Handler<Long> retry = id -> next(this);
        private HttpClientConnection connection;
        private boolean warming;
        private long start;
        private int status;

        Conn(int timeoutMs) {
            RequestMix mix = plan.mix();
            options = new RequestOptions()
                    .setMethod(mix.method())
                    .setHost(plan.target().getHost())
                    .setPort(plan.target().getPort())
                    .setIdleTimeout(timeoutMs);
            if (mix.contentType() != null) {
                options.putHeader(HttpHeaders.CONTENT_TYPE, mix.contentType());
            }
            if (!plan.keepAlive()) {
                options.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            }
            body = mix.newBody();
        }

        /** Open loop with keep-alive: connect ahead, so the first requests do not wait for a connect. */
        void warm() {
            warming = true;
            client.connect(connectOptions).onComplete(onConnect);
        }

        void begin(long n, long startNanos) {
            start = startNanos;
            options.setURI(plan.mix().uri(n));
            if (body != null) {
                plan.mix().fillBody(body, n);
            }
            if (connection == null) {
                client.connect(connectOptions).onComplete(onConnect);
            } else {
                connection.request(options).onComplete(onRequest);
            }
        }

        private void connected(AsyncResult<HttpClientConnection> ar) {
            if (warming) {
                warming = false;
                if (ar.succeeded()) {
                    adopt(ar.result());
                }
                next(this);
                return;
            }
            if (ar.failed()) {
                failed(ar.cause());
                return;
            }
            adopt(ar.result());
            connection.request(options).onComplete(onRequest);
        }

        private void adopt(HttpClientConnection c) {
            connection = c;
            c.closeHandler(v -> {
                if (connection == c) {
                    connection = null;
                }
            });
        }

        private void requestReady(AsyncResult<HttpClientRequest> ar) {
            if (ar.failed()) {
                failed(ar.cause());
                return;
            }
            HttpClientRequest request = ar.result();
            (body == null ? request.send() : request.send(body)).onComplete(onResponse);
        }

        private void responded(AsyncResult<HttpClientResponse> ar) {
            if (ar.failed()) {
                failed(ar.cause());
                return;
            }
            HttpClientResponse response = ar.result();
            status = response.statusCode();
            response.end().onComplete(onEnd);
        }

        private void ended(AsyncResult<Void> ar) {
            if (ar.failed()) {
                failed(ar.cause());
                return;
            }
            long now = System.nanoTime();
            if (!stopped) {
                counters.answered(status, now - start);
            }
            settle(now);
            if (!plan.keepAlive()) {
                drop();
            }
            next(this);
        }

        private void failed(Throwable cause) {
            long now = System.nanoTime();
            ErrorKind kind = ErrorKind.of(cause);
            if (!stopped) {
                boolean took = kind == ErrorKind.TIMEOUT || kind == ErrorKind.RESET;
                counters.failed(kind, took ? now - start : -1);
            }
            settle(now);
            drop();
            if (kind == ErrorKind.CONNECT_REFUSED || kind == ErrorKind.CONNECT_ERROR) {
                vertx.setTimer(CONNECT_RETRY_MS, retry);
            } else {
                next(this);
            }
        }

        void drop() {
            HttpClientConnection c = connection;
            connection = null;
            if (c != null) {
                c.close();
            }
        }
    }
}
