package io.tophat.stream;

import io.tophat.protocol.SseReader;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/** Feeds a Vert.x response body to an {@link SseReader} as it arrives, without copying the chunks. */
public final class SseChunks {
    private SseChunks() {
    }

    public static Handler<Buffer> into(SseReader reader) {
        return chunk -> {
            for (int i = 0, n = chunk.length(); i < n; i++) {
                reader.feed(chunk.getByte(i));
            }
        };
    }
}
