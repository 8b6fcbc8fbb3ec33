package io.tophat.client;

/** What became of one heartbeat handed to {@link TopHatProducer#send}. */
public enum Delivery {
    /** A worker answered 2xx: the heartbeat is stored. */
    ACKNOWLEDGED,
    /** A worker answered 4xx: the heartbeat is bad and was not retried. */
    REJECTED,
    /** No worker took it within the retries allowed (or the producer was closed); it waits in the offline buffer. */
    BUFFERED,
    /** It waited in the full offline buffer and was dropped for a newer heartbeat before a worker took it. */
    DROPPED
}
