package io.tophat.client;

/**
 * Receives an area's events from {@link TopHatConsumer#areaEvents}. Area streams are live only: after
 * {@link #disconnected}, events of the gap are not replayed, so ask {@link TopHatConsumer#area} who is inside
 * once {@link #connected} is called again. Called from one thread at a time; a method that throws ends the watch,
 * and {@link #failed} also says when the area is unknown or was removed (404).
 */
public interface AreaListener extends WatchListener {
    void event(AreaEvent event);
}
