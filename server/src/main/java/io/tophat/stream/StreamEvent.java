package io.tophat.stream;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One stored heartbeat as a stream sends it: its record's JSON and the token a subscriber holds after it. Framed
 * once per kind of connection however many subscribers it goes to.
 *
 * @param producer whose heartbeat
 * @param key      its commit key in the store it came from
 * @param id       the resume token after it
 * @param data     the stored record, as {@code GET /api/v1/producers/{id}} answers it
 */
public record StreamEvent(String producer, long key, String id, String data, Frames frames) {

    public StreamEvent(String producer, long key, String id, String data) {
        this(producer, key, id, data, new Frames());
    }

    /** The frame of this event on {@code sink}. */
    public Buffer frameFor(EventSink sink) {
        if (sink instanceof SseSink) {
            Buffer sse = frames.sse;
            if (sse == null) {
                sse = SseSink.sseFrame("heartbeat", id, data);
                frames.sse = sse;
            }
            return sse;
        }
        Buffer ws = frames.ws;
        if (ws == null) {
            ws = Buffer.buffer(WebSocketSink.text("heartbeat", id, data).getBytes(StandardCharsets.UTF_8));
            frames.ws = ws;
        }
        return ws;
    }

    /** The frames made so far; two threads making one at once both make the same bytes. */
    public static final class Frames {
        private volatile Buffer sse;
        private volatile Buffer ws;
    }
}
