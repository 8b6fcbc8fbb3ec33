package io.tophat.client;

import java.net.URI;
import java.time.Duration;

/** What every {@link Watch}'s listener hears of the connection itself: opened, lost, or ended for good. */
public interface WatchListener {
    /** A stream was opened at {@code uri} (at the start, and after each reconnect). */
    default void connected(URI uri) {
    }

    /** The stream was lost ({@code cause}); the watch reconnects after {@code retryIn}. */
    default void disconnected(TopHatException cause, Duration retryIn) {
    }

    /** The watch ended for good: the balancer refused it (a 4xx), or the listener threw. Not called on close. */
    default void failed(TopHatException cause) {
    }
}
