package io.tophat.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;

/** Streamed answers write their next part only once the connection has taken the last. */
public final class Backpressure {
    private Backpressure() {
    }

    /** Completes when {@code response} can take more; fails when the client went away. */
    public static Future<Void> whenWritable(HttpServerResponse response) {
        if (response.closed()) {
            return Future.failedFuture("the client went away");
        }
        if (!response.writeQueueFull()) {
            return Future.succeededFuture();
        }
        Promise<Void> drained = Promise.promise();
        response.drainHandler(v -> drained.tryComplete());
        response.closeHandler(v -> drained.tryFail("the client went away"));
        return drained.future();
    }
}
