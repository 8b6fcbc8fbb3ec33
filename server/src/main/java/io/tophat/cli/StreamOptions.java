package io.tophat.cli;

import io.tophat.stream.StreamLimits;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The stream flags the worker and the balancer share. */
final class StreamOptions {
    @Option(names = "--stream-buffer-events",
            defaultValue = "${env:TOPHAT_STREAM_BUFFER_EVENTS:-" + StreamLimits.DEFAULT_BUFFER_EVENTS + "}",
            description = "Most events a stream subscriber that does not read may have waiting (beyond the socket's "
                    + "own buffers) before it gets 'lagged' and is closed (default: ${DEFAULT-VALUE}, env "
                    + "TOPHAT_STREAM_BUFFER_EVENTS).")
    int bufferEvents;

    @Option(names = "--stream-buffer-bytes",
            defaultValue = "${env:TOPHAT_STREAM_BUFFER_BYTES:-" + StreamLimits.DEFAULT_BUFFER_BYTES + "}",
            description = "Most bytes of events waiting for one stream subscriber, likewise (default: "
                    + "${DEFAULT-VALUE}, env TOPHAT_STREAM_BUFFER_BYTES).")
    int bufferBytes;

    @Option(names = "--stream-keepalive", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_STREAM_KEEPALIVE:-" + StreamLimits.DEFAULT_KEEP_ALIVE + "}",
            description = "How often an idle stream writes a comment (SSE) or a ping (WebSocket), so proxies keep "
                    + "it open (default: ${DEFAULT-VALUE}, env TOPHAT_STREAM_KEEPALIVE).")
    Duration keepAlive;

    StreamLimits limits() {
        return new StreamLimits(bufferEvents, bufferBytes, keepAlive);
    }
}
