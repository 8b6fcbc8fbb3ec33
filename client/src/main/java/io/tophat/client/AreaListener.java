package io.tophat.client;

import java.net.URI;
import java.time.Duration;

/**
 * Receives an area's events from {@link TopHatConsumer#areaEvents}. Area streams are live only: after
 * {@link #disconnected}, events of the gap are not replayed, so ask {@link TopHatConsumer#area} who is inside
 * once {@link #connected} is called again. Called from one thread at a time; a method that throws ends the watch.
 */
public interface AreaListener {
    void event(AreaEvent event);

    default void connected(URI uri) {
    }

    default void disconnected(TopHatException cause, Duration retryIn) {
    }

    /** The watch ended for good: the area is unknown or was removed (404), or this listener threw. */
    default void failed(TopHatException cause) {
    }
}
