package io.tophat.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;

/**
 * The same events over a WebSocket: one JSON text frame per event,
 * {@code {"event": "heartbeat", "id": TOKEN, "data": RECORD}} ({@code data} absent from a frame that only moves
 * the token). An idle socket gets a ping.
 */
public final class WebSocketSink implements EventSink {
    private final ServerWebSocket socket;

    public WebSocketSink(ServerWebSocket socket) {
        this.socket = socket;
    }

    /** The text of an event's frame; static so a worker frames an event once for all its subscribers. */
    public static String text(String event, String id, String data) {
        StringBuilder out = new StringBuilder(48 + (data == null ? 0 : data.length()) + (id == null ? 0 : id.length()));
        out.append("{\"event\":\"").append(event == null ? "position" : event).append('"');
        if (id != null) {
            out.append(",\"id\":\"").append(id).append('"');
        }
        if (data != null) {
            out.append(",\"data\":").append(data);
        }
        return out.append('}').toString();
    }

    @Override
    public Buffer frame(String event, String id, String data) {
        return Buffer.buffer(text(event, id, data).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Buffer keepAlive() {
        return null;
    }

    @Override
    public void write(Buffer frame) {
        if (!socket.isClosed()) {
            if (frame == null) {
                socket.writePing(Buffer.buffer());
            } else {
                socket.writeTextMessage(frame.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable then) {
        socket.drainHandler(v -> then.run());
    }

    @Override
    public void closeHandler(Runnable then) {
        socket.closeHandler(v -> then.run());
    }

    @Override
    public void end() {
        if (!socket.isClosed()) {
            socket.close();
        }
    }
}
