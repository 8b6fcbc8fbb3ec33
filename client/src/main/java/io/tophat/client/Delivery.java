package io.tophat.client;

/** What became of one heartbeat handed to {@link TopHatProducer#send}. */
public enum Delivery {
    /** A worker answered 2xx: the heartbeat is stored. */
    ACKNOWLEDGED,
    /** A worker answered 4xx: the heartbeat is bad and was not retried. */
    REJECTED,
    /** No worker took it within the retries allowed; it waits in the offline buffer for the next send or flush. */
    BUFFERED
}
