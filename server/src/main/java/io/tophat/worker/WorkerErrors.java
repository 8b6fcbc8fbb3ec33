package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one translation from domain outcomes to HTTP answers, with the seed protocol's rule: on
 * {@code POST /heartbeat} every refused body is 400, as the original answered; API v1 says 422 for a readable
 * body that is wrong.
 */
final class WorkerErrors {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerErrors.class);

    private WorkerErrors() {
    }

    static ApiException rejected(HeartbeatRejected e, boolean seed) {
        return seed || e.isMalformed() ? ApiException.badRequest(e.error(), e.detail())
                : ApiException.unprocessable(e.error(), e.detail());
    }

    static ApiException notPost() {
        return new ApiException(405, "method not allowed", "send heartbeats with POST", 0);
    }

    static ApiException notJson() {
        return new ApiException(415, "unsupported media type", "send Content-Type: application/json", 0);
    }

    static ApiException draining() {
        return new ApiException(410, "worker draining", "this worker is leaving; register again with the balancer", 0);
    }

    static ApiException cannotStore(long failingMs) {
        return new ApiException(410, "worker cannot store", "this worker's store has failed every write for "
                + failingMs + " ms; register again with the balancer", 0);
    }

    static ApiException fenced(String producer, long epoch) {
        return ApiException.conflict("producer assigned elsewhere", "producer " + producer
                + " was moved to another worker (epoch " + epoch + "); register again with the balancer");
    }

    static ApiException overloaded(IngestOutcome.Overloaded o) {
        return ApiException.unavailable("worker overloaded", o.reason(), 1);
    }

    /** A batch the store did not commit; the reason is its condition, which names no file or database. */
    static ApiException notStored(IngestOutcome.StoreFailed f) {
        return ApiException.unavailable("store unavailable", "the heartbeat was not stored: " + f.reason()
                + "; retry shortly", 1);
    }

    /**
     * A read or an erasure the store could not serve: try again shortly. The detail is the store's condition ("the
     * disk is full"); the store logged the whole failure, file or database included. A failure that is not the
     * store's is a bug, logged here in full.
     */
    static ApiException storeUnavailable(Throwable failure) {
        if (!(failure instanceof StoreException) && !(failure instanceof ApiException)) {
            LOG.error("a store call failed unexpectedly", failure);
        }
        if (failure instanceof ApiException api) {
            return api;
        }
        return ApiException.unavailable("store unavailable", StoreException.conditionOf(failure)
                + "; nothing was read or changed, retry shortly", 1);
    }
}
