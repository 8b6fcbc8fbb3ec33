package io.tophat.stream;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;

/**
 * What one subscriber is sent, in order, on its connection's event loop: frames go to the connection while it
 * takes them and wait here, within {@link StreamLimits}, while it does not. When they overflow the subscriber is
 * lagging: it gets a {@code lagged} event with the token of the last event it was given, to resume from, and the
 * connection is closed, so a subscriber that never reads costs at most the limits. An idle stream gets a
 * keep-alive every {@link StreamLimits#keepAlive()}.
 */
public final class StreamOutbox {
    /** A frame and the token the subscriber holds once it has it. */
    private record Queued(Buffer frame, String id) {
    }

    private final Vertx vertx;
    private final EventSink sink;
    private final StreamLimits limits;
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    private final long keepAliveTimer;
    private Runnable onClose = () -> { };
    private Runnable onDrained;
    private long queuedBytes;
    private String lastId;
    private boolean wroteSinceKeepAlive;
    private boolean closed;
    private boolean lagging;

    /** @param startId the token the subscriber holds before the first event (a lagged event names it) */
    public StreamOutbox(Vertx vertx, EventSink sink, StreamLimits limits, String startId) {
        this.vertx = vertx;
        this.sink = sink;
        this.limits = limits;
        this.lastId = startId;
        sink.drainHandler(this::drain);
        sink.closeHandler(this::gone);
        this.keepAliveTimer = vertx.setPeriodic(limits.keepAlive().toMillis(), t -> keepAlive());
    }

    /** Called once when the subscriber has gone or was closed. */
    public void onClose(Runnable then) {
        this.onClose = then;
    }

    /**
     * Sends a frame after those before it; the subscriber holds {@code id} once it has it (null: the frame does
     * not move the token). Returns false when the outbox is closed, or closes now because it overflowed.
     */
    public boolean send(Buffer frame, String id) {
        if (closed) {
            return false;
        }
        if (queued.isEmpty() && !sink.writeQueueFull()) {
            write(frame, id);
            return true;
        }
        queued.add(new Queued(frame, id));
        queuedBytes += frame.length();
        if (queued.size() > limits.bufferEvents() || queuedBytes > limits.bufferBytes()) {
            lagged();
            return false;
        }
        return true;
    }

    /** Frames waiting for the connection. */
    public int queued() {
        return queued.size();
    }

    /** True when nothing waits and the connection takes more: a replay reads its next page then. */
    public boolean idle() {
        return queued.isEmpty() && !sink.writeQueueFull();
    }

    /** Runs {@code then} once the outbox is {@link #idle()} (now, if it is), unless it closes first. */
    public void whenIdle(Runnable then) {
        if (closed) {
            return;
        }
        if (idle()) {
            then.run();
        } else {
            onDrained = then;
        }
    }

    /** The token of the last event the connection was given. */
    public String lastId() {
        return lastId;
    }

    public boolean closed() {
        return closed;
    }

    /** True once the subscriber was closed for lagging. */
    public boolean lagging() {
        return lagging;
    }

    /**
     * The subscriber falls behind: sends {@code lagged} naming the token to resume from, and closes.
     */
    public void lagged() {
        if (closed) {
            return;
        }
        lagging = true;
        queued.clear();
        queuedBytes = 0;
        String detail = "the subscriber did not keep up: more than " + limits.bufferEvents() + " events or "
                + limits.bufferBytes() + " bytes waited for it; resume from this token, which replays from history";
        sink.write(sink.frame("lagged", lastId, "{\"error\":\"lagged\",\"detail\":\"" + detail + "\",\"resume\":"
                + (lastId == null ? "null" : "\"" + lastId + "\"") + "}"));
        close();
    }

    /** Sends a last event (a reason to reconnect, say), then closes. */
    public void closeWith(Buffer lastFrame) {
        if (!closed) {
            sink.write(lastFrame);
            close();
        }
    }

    /** Ends the connection. */
    public void close() {
        if (!closed) {
            sink.end();
            gone();
        }
    }

    private void write(Buffer frame, String id) {
        sink.write(frame);
        wroteSinceKeepAlive = true;
        if (id != null) {
            lastId = id;
        }
    }

    private void drain() {
        while (!closed && !queued.isEmpty() && !sink.writeQueueFull()) {
            Queued next = queued.poll();
            queuedBytes -= next.frame().length();
            write(next.frame(), next.id());
        }
        if (onDrained != null && idle()) {
            Runnable then = onDrained;
            onDrained = null;
            then.run();
        }
    }

    private void keepAlive() {
        if (!wroteSinceKeepAlive && queued.isEmpty() && !closed) {
            sink.write(sink.keepAlive());
        }
        wroteSinceKeepAlive = false;
    }

    private void gone() {
        if (closed) {
            return;
        }
        closed = true;
        queued.clear();
        onDrained = null;
        vertx.cancelTimer(keepAliveTimer);
        onClose.run();
    }
}
