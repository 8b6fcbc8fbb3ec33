package io.tophat.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events (the WHATWG HTML "server-sent events" format) on a chunked 200 answer. A data text with line
 * breaks (JSON whitespace) goes out as several {@code data:} lines, which a client joins back with line feeds.
 */
public final class SseSink implements EventSink {
    private static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");
    private final HttpServerResponse response;
    private final HttpConnection connection;

    private SseSink(HttpServerResponse response, HttpConnection connection) {
        this.response = response;
        this.connection = connection;
    }

    /** Starts the answer to {@code request}: status 200, {@code text/event-stream}, no caching, chunked. */
    public static SseSink start(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no")
                // the stream ends only with its connection: a client must not reuse it for another request, which
                // could race with the close
                .putHeader("Connection", "close");
        response.write(Buffer.buffer(": tophat stream\n\n"));
        return new SseSink(response, request.connection());
    }

    /** The SSE frame of an event; static so a worker frames an event once for all its subscribers. */
    public static Buffer sseFrame(String event, String id, String data) {
        StringBuilder out = new StringBuilder(32 + (data == null ? 0 : data.length()) + (id == null ? 0 : id.length()));
        if (event != null) {
            out.append("event: ").append(event).append('\n');
        }
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        if (data != null) {
            int start = 0;
            for (int i = 0; i < data.length(); i++) {
                char c = data.charAt(i);
                if (c == '\n' || c == '\r') {
                    out.append("data: ").append(data, start, i).append('\n');
                    if (c == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
                        i++;
                    }
                    start = i + 1;
                }
            }
            out.append("data: ").append(data, start, data.length()).append('\n');
        }
        out.append('\n');
        return Buffer.buffer(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Buffer frame(String event, String id, String data) {
        return sseFrame(event, id, data);
    }

    @Override
    public Buffer keepAlive() {
        return KEEP_ALIVE;
    }

    @Override
    public void write(Buffer frame) {
        if (!response.closed() && !response.ended()) {
            response.write(frame);
        }
    }

    @Override
    public boolean writeQueueFull() {
        return response.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable then) {
        response.drainHandler(v -> then.run());
    }

    @Override
    public void closeHandler(Runnable then) {
        response.closeHandler(v -> then.run());
        response.endHandler(v -> then.run());
    }

    /** Ends the answer and closes the connection, so every client sees the stream end at once. */
    @Override
    public void end() {
        if (!response.closed() && !response.ended()) {
            response.end().onComplete(v -> connection.close());
        }
    }
}
