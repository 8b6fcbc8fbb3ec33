package io.tophat.balancer;

import io.tophat.http.ApiException;

/**
 * The balancer's one translation from domain outcomes to HTTP answers, with the seed protocol's rule: where the
 * original answered 400 ("No workers are online right now", "Producer does not exist"), the seed paths still do,
 * and API v1 answers what happened (503 with Retry-After, 404).
 */
final class BalancerErrors {
    private BalancerErrors() {
    }

    /** The answer to a failed operation; anything not known here is passed on for the 500 handler. */
    static Throwable toHttp(Throwable failure, String producer, boolean seed) {
        if (failure instanceof StateWriteException e) {
            // the writer logged the failure, with the file or the database, once for a run of them
            return ApiException.unavailable("balancer state unavailable", e.getMessage(), 1);
        }
        if (failure instanceof NoWorkersException e) {
            String detail = "no live worker can take producer " + producer + "; start a worker or retry shortly";
            return seed ? ApiException.badRequest(e.getMessage(), detail) : ApiException.unavailable(e.getMessage(), detail, 1);
        }
        return failure;
    }

    /** The answer when a producer cannot be routed: its worker is dead, or it never registered. */
    static ApiException routeFailure(String id, Route route, boolean seed) {
        if (route instanceof Route.Unavailable u) {
            return ApiException.unavailable("Producer's worker is down", "the worker " + u.deadWorker()
                    + " of producer " + id + " is dead; the producer will move to a live worker", (int) u.retryAfterSeconds());
        }
        return seed ? ApiException.badRequest("Producer does not exist", "no producer " + id + " has registered")
                : ApiException.notFound("unknown producer", "no producer " + id + " has registered");
    }
}
