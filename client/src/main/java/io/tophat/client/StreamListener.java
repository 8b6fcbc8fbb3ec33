package io.tophat.client;

import java.net.URI;
import java.time.Duration;

/**
 * Receives what a {@link Watch} delivers. The methods are called from one thread at a time, in the order of the
 * stream; a method that throws ends the watch ({@link #failed} is told why, {@link Watch#token()} says where to
 * resume). Only {@link #heartbeat} must be implemented.
 */
public interface StreamListener {
    /** The next stored heartbeat: each one once, each producer's in the order its stores committed them. */
    void heartbeat(StreamedHeartbeat event);

    /** A stream was opened at {@code uri} (at the start, and after each reconnect). */
    default void connected(URI uri) {
    }

    /**
     * The stream was lost ({@code cause}) or the server said the consumer fell behind; the watch reconnects after
     * {@code retryIn} and resumes from its token, so nothing is missed.
     */
    default void disconnected(TopHatException cause, Duration retryIn) {
    }

    /** The watch ended for good: the balancer refused it (a 4xx), or this listener threw. Not called on close. */
    default void failed(TopHatException cause) {
    }
}
