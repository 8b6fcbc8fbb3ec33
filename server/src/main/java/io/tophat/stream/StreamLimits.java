package io.tophat.stream;

import java.time.Duration;

/**
 * The bounds of every stream subscription: what it may hold beyond the connection's own buffers before the
 * subscriber counts as lagging (it gets {@code lagged} with the token to resume from, and is closed), and how
 * often an idle stream writes a keep-alive.
 *
 * @param bufferEvents most events held for a subscriber that does not read
 * @param bufferBytes  most bytes of events held for it
 * @param keepAlive    the keep-alive interval of an idle stream
 */
public record StreamLimits(int bufferEvents, int bufferBytes, Duration keepAlive) {
    public static final int DEFAULT_BUFFER_EVENTS = 4096;
    public static final int DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
    public static final String DEFAULT_KEEP_ALIVE = "15s";
    public static final StreamLimits DEFAULT = new StreamLimits(DEFAULT_BUFFER_EVENTS, DEFAULT_BUFFER_BYTES,
            Duration.ofSeconds(15));

    public StreamLimits {
        if (bufferEvents < 1 || bufferBytes < 1) {
            throw new IllegalArgumentException("a stream buffer holds at least one event and one byte");
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("--stream-keepalive must be positive");
        }
    }
}
