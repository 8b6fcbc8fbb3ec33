package io.tophat.worker;

/** When a worker answers a heartbeat. */
public enum AckMode {
    /** After the heartbeat's batch is committed to the store: nothing acknowledged is lost if the worker dies. */
    DURABLE,
    /**
     * At once, from the cache; the store is written every flush interval or when the cache size is reached
     * (the report's mode). Lossy: a worker that dies loses up to one flush interval of heartbeats.
     */
    CACHED
}
