package io.tophat.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One event loop's share of a load run: its connections, each carrying one HTTP/1.1 request at a time. The
 * request bytes are encoded once per target before the run (a body, when there is one, is rewritten in place
 * per request); answers are framed by a {@link ResponseReader}. Everything runs on the loop's event loop, and
 * nothing is allocated per request beyond what Vert.x allocates per socket read.
 *
 * <p>Closed loop: a connection sends its next request as soon as the previous one is answered. Open loop:
 * request {@code k} of this loop is due at {@code start + k * interval}; a 1 ms ticker and every answer send
 * what is due on idle connections, and latency counts from the due time, so time spent waiting for a free
 * connection is measured (coordinated omission corrected, as wrk2 does).
 */
final class LoadLoop extends VerticleBase {
    private static final long CONNECT_RETRY_MS = 10;
    private static final long TIMEOUT_SWEEP_MS = 50;

    private final LoadPlan plan;
    private final int index;
    private final int loops;
    private final int connectionCount;
    private final long quota;
    private final double intervalNanos;
    private final long timeoutNanos;
    private final LoopCounters counters = new LoopCounters();
    private final Promise<Void> finished = Promise.promise();
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();

    private NetClient client;
    private Buffer[] heads;
    private Conn[] conns;
    private long startNanos;
    private long issued;
    private long settled;
    private volatile long lastSettledNanos;
    private boolean stopped;
    private long ticker = -1;
    private long sweeper = -1;

    /** @param index this loop's number among {@code loops}; it takes every {@code loops}-th connection and request */
    LoadLoop(LoadPlan plan, int index, int loops) {
        this.plan = plan;
        this.index = index;
        this.loops = loops;
        this.connectionCount = share(plan.connections(), index, loops);
        this.quota = plan.counted() ? share(plan.requests(), index, loops) : Long.MAX_VALUE;
        this.intervalNanos = plan.openLoop() ? 1e9 * loops / plan.rate() : 0;
        this.timeoutNanos = plan.timeout().toNanos();
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
        client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(timeoutMs));
        heads = encodeHeads(plan);
        conns = new Conn[connectionCount];
        startNanos = System.nanoTime();
        lastSettledNanos = startNanos;
        if (quota == 0) {
            finished.tryComplete();
        }
        for (int i = 0; i < connectionCount; i++) {
            conns[i] = new Conn();
        }
        for (Conn conn : conns) {
            if (plan.openLoop() && plan.keepAlive()) {
                conn.warm();
            } else {
                next(conn);
            }
        }
        if (plan.openLoop()) {
            ticker = vertx.setPeriodic(1, id -> dispatchDue());
        }
        sweeper = vertx.setPeriodic(TIMEOUT_SWEEP_MS, id -> sweepTimeouts());
        return Future.succeededFuture();
    }

    /** The request head of every target, encoded once: request line, Host, and the headers the mix needs. */
    private static Buffer[] encodeHeads(LoadPlan plan) {
        RequestMix mix = plan.mix();
        Buffer sample = mix.newBody();
        List<String> targets = mix.targets();
        Buffer[] out = new Buffer[targets.size()];
        for (int i = 0; i < out.length; i++) {
            StringBuilder h = new StringBuilder(96);
            h.append(mix.method().name()).append(' ').append(targets.get(i)).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(plan.target().getHost()).append(':').append(plan.target().getPort())
                    .append("\r\n");
            if (mix.contentType() != null) {
                h.append("Content-Type: ").append(mix.contentType()).append("\r\n");
            }
            if (sample != null) {
                h.append("Content-Length: ").append(sample.length()).append("\r\n");
            }
            if (!plan.keepAlive()) {
                h.append("Connection: close\r\n");
            }
            h.append("\r\n");
            out[i] = Buffer.buffer(h.toString().getBytes(StandardCharsets.US_ASCII));
        }
        return out;
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

    private void sweepTimeouts() {
        long now = System.nanoTime();
        for (Conn conn : conns) {
            conn.checkTimeout(now);
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
        private final ResponseReader reader = new ResponseReader();
        private final Buffer request;
        private final Buffer body;
        private final Handler<AsyncResult<NetSocket>> onConnect = this::connected;
        private final Handler<Buffer> onData = this::received;
        private final Handler<Long> retry = id -> next(this);
        private NetSocket socket;
        private Throwable socketFailure;
        private boolean warming;
        private boolean busy;
        private long n;
        private long start;
        private long sentNanos;

        Conn() {
            Buffer template = plan.mix().newBody();
            if (template == null) {
                request = null;
                body = null;
            } else {
                // One request of head and body per connection; the body part is rewritten in place per request.
                Buffer head = heads[0];
                request = Buffer.buffer(head.length() + template.length()).appendBuffer(head).appendBuffer(template);
                body = request.slice(head.length(), request.length());
            }
        }

        /** Open loop with keep-alive: connect ahead, so the first requests do not wait for a connect. */
        void warm() {
            warming = true;
            client.connect(plan.target().getPort(), plan.target().getHost()).onComplete(onConnect);
        }

        void begin(long requestNumber, long startNanos) {
            busy = true;
            n = requestNumber;
            start = startNanos;
            sentNanos = System.nanoTime();
            if (socket == null) {
                client.connect(plan.target().getPort(), plan.target().getHost()).onComplete(onConnect);
            } else {
                send();
            }
        }

        private void send() {
            reader.reset();
            if (request == null) {
                socket.write(heads[plan.mix().target(n)]);
            } else {
                plan.mix().fillBody(body, n);
                socket.write(request);
            }
        }

        private void connected(AsyncResult<NetSocket> ar) {
            if (ar.succeeded()) {
                adopt(ar.result());
            }
            if (warming) {
                warming = false;
                next(this);
            } else if (!busy) {
                drop();
            } else if (ar.failed()) {
                failed(ar.cause());
            } else {
                send();
            }
        }

        private void adopt(NetSocket s) {
            socket = s;
            socketFailure = null;
            s.handler(onData);
            s.exceptionHandler(t -> {
                if (socket == s) {
                    socketFailure = t;
                }
            });
            s.closeHandler(v -> {
                if (socket == s) {
                    closed();
                }
            });
        }

        private void received(Buffer data) {
            if (!busy) {
                return;
            }
            boolean complete;
            try {
                complete = reader.feed(data);
            } catch (IllegalStateException e) {
                failed(e);
                return;
            }
            if (complete) {
                answered();
            }
        }

        private void closed() {
            socket = null;
            if (!busy) {
                return;
            }
            if (reader.endsAtClose()) {
                answered();
            } else {
                failed(socketFailure != null ? socketFailure : new HttpClosedException("closed by the server"));
            }
        }

        private void answered() {
            busy = false;
            long now = System.nanoTime();
            if (!stopped) {
                counters.answered(reader.status(), now - start);
            }
            settle(now);
            if (reader.closeAfter() || !plan.keepAlive()) {
                drop();
            }
            next(this);
        }

        private void failed(Throwable cause) {
            busy = false;
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

        void checkTimeout(long now) {
            if (busy && socket != null && now - sentNanos > timeoutNanos) {
                failed(new TimeoutException("no answer within " + plan.timeout().toMillis() + " ms"));
            }
        }

        void drop() {
            NetSocket s = socket;
            socket = null;
            if (s != null) {
                s.close();
            }
        }
    }
}
