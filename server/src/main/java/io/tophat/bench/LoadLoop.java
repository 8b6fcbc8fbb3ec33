package io.tophat.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of a load run: its connections, each carrying one HTTP/1.1 request at a time. It
 * works on Netty directly (the transport under Vert.x), so the hot path is one socket write of prepared bytes
 * and one read framed by a {@link ResponseReader}: request heads are encoded once per target before the run,
 * a body (when there is one) is rewritten in place per request, and nothing is allocated per request but the
 * write's buffer duplicate. Everything runs on the loop's thread; the reporting thread reads
 * {@link LoopCounters} only. A plan's {@link LoadPlan.AnswerListener}, if it has one, is called on the loop
 * with each answered request's number and status.
 *
 * <p>Closed loop: a connection sends its next request as soon as the previous one is answered. Open loop:
 * request {@code k} of this loop is due at {@code start + k * interval}; a 1 ms ticker and every answer send
 * what is due on idle connections, and latency counts from the due time, so time spent waiting for a free
 * connection is measured (coordinated omission corrected, as wrk2 does).
 */
final class LoadLoop {
    private static final long CONNECT_RETRY_MS = 10;
    private static final long TIMEOUT_SWEEP_MS = 50;

    private final LoadPlan plan;
    private final EventLoop loop;
    private final int index;
    private final int loops;
    private final int connectionCount;
    private final long quota;
    private final double intervalNanos;
    private final long timeoutNanos;
    private final LoopCounters counters = new LoopCounters();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final ArrayDeque<LoadConnection> idle = new ArrayDeque<>();
    private final Bootstrap bootstrap;
    private final ByteBuf[] heads;

    private LoadConnection[] conns;
    private long startNanos;
    /** Open loop: request {@code scheduleFirst + k} is due at {@code scheduleOrigin + k * interval}. */
    private long scheduleOrigin;
    private long scheduleFirst;
    /** Answers to requests begun in an earlier epoch (the warmup) are not counted. */
    private int epoch;
    private long issued;
    private long settled;
    private volatile long lastSettledNanos;
    private boolean stopped;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> sweeper;

    /** @param index this loop's number among {@code loops}; it takes every {@code loops}-th connection and request */
    LoadLoop(LoadPlan plan, EventLoop loop, int index, int loops) {
        this.plan = plan;
        this.loop = loop;
        this.index = index;
        this.loops = loops;
        this.connectionCount = share(plan.connections(), index, loops);
        this.quota = plan.counted() ? share(plan.requests(), index, loops) : Long.MAX_VALUE;
        this.intervalNanos = plan.openLoop() ? 1e9 * loops / plan.rate() : 0;
        this.timeoutNanos = plan.timeout().toNanos();
        this.heads = encodeHeads(plan);
        this.bootstrap = new Bootstrap().group(loop).channel(NettyTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, plan.timeout().toMillis()))
                .remoteAddress(plan.target().getHost(), plan.target().getPort());
    }

    private static int share(long total, int index, int parts) {
        return (int) (total / parts + (index < total % parts ? 1 : 0));
    }

    /** The request head of every target, encoded once: request line, Host, and the headers the mix needs. */
    private static ByteBuf[] encodeHeads(LoadPlan plan) {
        RequestMix mix = plan.mix();
        byte[] body = mix.bodyTemplate();
        List<String> targets = mix.targets();
        ByteBuf[] out = new ByteBuf[targets.size()];
        for (int i = 0; i < out.length; i++) {
            StringBuilder h = new StringBuilder(96);
            h.append(mix.method().name()).append(' ').append(targets.get(i)).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(plan.target().getHost()).append(':').append(plan.target().getPort())
                    .append("\r\n");
            if (mix.contentType() != null) {
                h.append("Content-Type: ").append(mix.contentType()).append("\r\n");
            }
            if (mix.authorization(i) != null) {
                h.append("Authorization: ").append(mix.authorization(i)).append("\r\n");
            }
            if (body != null) {
                h.append("Content-Length: ").append(body.length).append("\r\n");
            }
            if (!plan.keepAlive()) {
                h.append("Connection: close\r\n");
            }
            h.append("\r\n");
            byte[] bytes = h.toString().getBytes(StandardCharsets.US_ASCII);
            out[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
        }
        return out;
    }

    LoopCounters counters() {
        return counters;
    }

    /** Completes when every request of a counted run has its answer or failure. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    long startNanos() {
        return startNanos;
    }

    long lastSettledNanos() {
        return lastSettledNanos;
    }

    /** Opens the connections and starts sending, on the loop's thread. */
    CompletableFuture<Void> start() {
        return CompletableFuture.runAsync(this::startOnLoop, loop);
    }

    private void startOnLoop() {
        conns = new LoadConnection[connectionCount];
        startNanos = System.nanoTime();
        scheduleOrigin = startNanos;
        lastSettledNanos = startNanos;
        if (quota == 0) {
            finished.complete(null);
        }
        for (int i = 0; i < connectionCount; i++) {
            conns[i] = new LoadConnection(this, plan, heads, bootstrap, timeoutNanos);
        }
        for (LoadConnection conn : conns) {
            if (plan.openLoop() && plan.keepAlive()) {
                conn.warm();
            } else {
                next(conn);
            }
        }
        if (plan.openLoop()) {
            ticker = loop.scheduleAtFixedRate(this::dispatchDue, 1, 1, TimeUnit.MILLISECONDS);
        }
        sweeper = loop.scheduleAtFixedRate(this::sweepTimeouts, TIMEOUT_SWEEP_MS, TIMEOUT_SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops sending: from now on answers are not counted and connections close as their requests end. In an
     * open loop, every request that was due by {@code endNanos} but never sent is counted as unsent, with the
     * time it has waited as its latency.
     */
    CompletableFuture<Void> halt(long endNanos) {
        return CompletableFuture.runAsync(() -> {
            if (stopped) {
                return;
            }
            stopped = true;
            if (ticker != null) {
                ticker.cancel(false);
            }
            if (plan.openLoop()) {
                for (long due = dueBy(endNanos); issued < due; issued++) {
                    counters.unsent(endNanos - intended(issued));
                }
            }
            while (!idle.isEmpty()) {
                idle.pop().drop();
            }
        }, loop);
    }

    /** Closes every connection (after {@link #halt} or when a counted run is over). */
    CompletableFuture<Void> close() {
        return CompletableFuture.runAsync(() -> {
            stopped = true;
            if (ticker != null) {
                ticker.cancel(false);
            }
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            if (conns != null) {
                for (LoadConnection conn : conns) {
                    conn.drop();
                }
            }
        }, loop);
    }

    /**
     * Starts a new epoch at {@code nowNanos} (the end of the warmup): answers to requests begun before are not
     * counted, and in an open loop the schedule starts again from now, so a backlog left by the warmup (a cold
     * server falling behind) is dropped instead of being measured as latency.
     */
    CompletableFuture<Void> rebase(long nowNanos) {
        return CompletableFuture.runAsync(() -> {
            epoch++;
            scheduleOrigin = nowNanos;
            scheduleFirst = issued;
        }, loop);
    }

    private long dueBy(long now) {
        return now < scheduleOrigin ? scheduleFirst : scheduleFirst + (long) ((now - scheduleOrigin) / intervalNanos) + 1;
    }

    private long intended(long k) {
        return scheduleOrigin + (long) ((k - scheduleFirst) * intervalNanos);
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
        for (LoadConnection conn : conns) {
            conn.checkTimeout(now);
        }
    }

    /** {@code conn} is free: give it its next request, or let it wait. */
    void next(LoadConnection conn) {
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

    private void begin(LoadConnection conn, long start) {
        long n = issued++ * loops + index;
        conn.begin(n, start);
    }

    /** Whether an answer to a request begun in {@code epoch} is counted: not after a stop, not from the warmup. */
    boolean counts(int begunIn) {
        return !stopped && begunIn == epoch;
    }

    int epoch() {
        return epoch;
    }

    LoopCounters countersOnLoop() {
        return counters;
    }

    /** Gives {@code conn} another try after a refused connect, a moment later. */
    void retryLater(Runnable retry) {
        loop.schedule(retry, CONNECT_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    void settle(long now) {
        lastSettledNanos = now;
        if (++settled == quota) {
            finished.complete(null);
        }
    }
}
