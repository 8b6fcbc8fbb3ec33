package io.tophat.client;

import java.util.Map;

/**
 * What {@link TopHatConsumer#erase} removed.
 *
 * @param producer whose data
 * @param erased   heartbeats deleted per store
 * @param total    heartbeats deleted in all
 */
public record Erasure(String producer, Map<String, Long> erased, long total) {
}
