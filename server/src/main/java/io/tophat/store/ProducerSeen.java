package io.tophat.store;

/** A producer a store holds, with the time of its latest heartbeat (ms since the epoch). */
public record ProducerSeen(String producer, long lastSeen) {
}
