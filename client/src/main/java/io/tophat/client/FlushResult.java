package io.tophat.client;

/** How far a {@link TopHatProducer#flush} got. */
public enum FlushResult {
    /** Every heartbeat that waited was answered (stored or rejected). */
    DELIVERED,
    /** The time allowed ran out, or the producer was closed, while heartbeats still wait; retrying goes on next call. */
    PENDING,
    /** The retries allowed ran out; heartbeats wait in the offline buffer, and the next call starts retrying afresh. */
    GAVE_UP
}
