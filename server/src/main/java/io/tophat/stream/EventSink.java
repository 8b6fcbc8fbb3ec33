package io.tophat.stream;

import io.vertx.core.buffer.Buffer;

/**
 * A subscriber's connection, Server-Sent Events or WebSocket: how an event is framed on it and how frames are
 * written. Used on the connection's own event loop.
 */
public interface EventSink {
    /** The frame of one event; {@code data} is a JSON text (or null for a frame that only moves the token). */
    Buffer frame(String event, String id, String data);

    /** The frame that keeps an idle connection open. */
    Buffer keepAlive();

    void write(Buffer frame);

    boolean writeQueueFull();

    void drainHandler(Runnable then);

    /** Called once when the subscriber goes away (or the connection is ended). */
    void closeHandler(Runnable then);

    void end();
}
