package io.tophat.balancer;

/** Where a consumer asking for a producer is sent. */
public sealed interface Route {

    /** To this worker's base URL. */
    record To(String workerUrl) implements Route {
    }

    /** The balancer has never assigned this producer. */
    record Unknown() implements Route {
    }

    /** The producer's worker is dead and no live worker shares its store; try again after the producer moves. */
    record Unavailable(String deadWorker, long retryAfterSeconds) implements Route {
    }
}
