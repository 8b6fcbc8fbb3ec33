package io.tophat.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request's whole body, refusing more than a limit with 413: at once when the declared Content-Length is
 * over it, and as soon as a chunked body passes it (the rest is dropped as it arrives). For handlers that serve a
 * hot path without the router's {@code BodyHandler}.
 */
public final class BoundedBody {
    private BoundedBody() {
    }

    public static Future<Buffer> read(HttpServerRequest request, int limit) {
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length = parseLength(declared);
            if (length < 0) {
                return Future.failedFuture(ApiException.badRequest("bad Content-Length",
                        "Content-Length must be a whole number of bytes"));
            }
            return length > limit ? Future.failedFuture(tooLarge(limit)) : request.body();
        }
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        request.handler(chunk -> {
            if (body.future().isComplete()) {
                return;
            }
            if (collected.length() + chunk.length() > limit) {
                body.tryFail(tooLarge(limit));
            } else {
                collected.appendBuffer(chunk);
            }
        });
        request.endHandler(end -> body.tryComplete(collected));
        request.exceptionHandler(body::tryFail);
        return body.future();
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(413, "request body too large",
                "the body is larger than this endpoint accepts (" + limit + " bytes)", 0);
    }
}
