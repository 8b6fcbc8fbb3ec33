package io.tophat.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tophat.protocol.HeartbeatJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one place where failures become HTTP answers: a JSON body {@code {"error": "...", "detail": "..."}},
 * Retry-After on 503, and never a stack trace. Unexpected failures are logged here and answered 500.
 */
public final class ErrorResponder implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

    /** Makes this the router's failure handler and the answer to the statuses the router itself produces. */
    public static Router install(Router router) {
        ErrorResponder responder = new ErrorResponder();
        router.route().failureHandler(responder);
        for (int status : new int[]{400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, responder);
        }
        return router;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        ApiException error;
        if (failure instanceof ApiException api) {
            error = api;
        } else if (failure instanceof HttpException http) {
            error = fromStatus(http.getStatusCode(), http.getPayload());
        } else if (failure == null) {
            error = fromStatus(ctx.statusCode(), null);
        } else {
            fail(ctx.request(), failure);
            return;
        }
        send(ctx.response(), error);
    }

    /**
     * Answers a request, in the router or outside it: an {@link ApiException} as it says; nothing when the client
     * has gone (logged at debug level, as it is the client's doing); anything else 500, logged.
     */
    public static void fail(HttpServerRequest request, Throwable failure) {
        if (failure instanceof ApiException api) {
            send(request.response(), api);
            return;
        }
        if (failure instanceof HttpClosedException || request.response().closed()) {
            LOG.debug("{} {}: the client closed the connection before the answer ({})", request.method(),
                    request.path(), describe(failure));
            return;
        }
        LOG.error("unexpected failure serving {} {}", request.method(), request.path(), failure);
        send(request.response(), new ApiException(500, "internal error",
                "the server failed to answer this request; see its log", 0));
    }

    /** A failure's class and message, in one line. */
    static String describe(Throwable failure) {
        return failure == null ? "unknown" : failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage().lines().findFirst().orElse(""));
    }

    /**
     * What the HTTP decoder could not read, in words of our own: Netty's messages quote the request back (a
     * Content-Length, a target, a version), so they go no further than a debug log line.
     */
    static String decoderProblem(Throwable cause) {
        String m = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        String name = cause == null ? "" : cause.getClass().getSimpleName();
        // the class only: Netty's message may quote the request line, and with it a ?token= credential
        LOG.debug("the HTTP decoder refused a request ({})", name.isEmpty() ? "no cause" : name);
        if (m.contains("Content-Length") && m.contains("Transfer-Encoding")) {
            return "a request must not carry both Content-Length and Transfer-Encoding";
        }
        if (m.contains("Content-Length")) {
            return "Content-Length must be one whole number of bytes, given once";
        }
        if (name.contains("Chunk") || m.contains("chunk size") || m.contains("Chunk")) {
            return "a chunk size is not a hexadecimal number, or a chunk is not framed as chunked encoding says";
        }
        if (m.contains("chunked") || m.contains("transfer coding") || m.contains("Transfer-Encoding")) {
            return "Transfer-Encoding must end with chunked, given once";
        }
        if (m.contains("version") || m.contains("protocolName")) {
            return "the request line does not end with an HTTP version such as HTTP/1.1";
        }
        if (m.contains("URI") || m.contains("request line") || m.contains("method name") || m.contains("initialLine")) {
            return "the request line is not METHOD TARGET HTTP/1.1";
        }
        if (name.contains("LineSeparator") || m.contains("separator") || m.contains("colon") || m.contains("header")) {
            return "a header line is not written Name: value";
        }
        return "the request cannot be read as HTTP/1.1";
    }

    private static ApiException fromStatus(int status, String payload) {
        return switch (status) {
            case 413 -> new ApiException(413, "request body too large", "the body is larger than this endpoint accepts", 0);
            case 404 -> ApiException.notFound("no such endpoint", "see docs/api.md for the endpoints");
            case 405 -> new ApiException(405, "method not allowed", "see docs/api.md for the methods of each path", 0);
            case 415 -> new ApiException(415, "unsupported media type", "send Content-Type: application/json", 0);
            case 400 -> ApiException.badRequest("bad request", payload);
            default -> new ApiException(status >= 400 && status <= 599 ? status : 500, "request failed", payload, 0);
        };
    }

    /**
     * Answers a request the HTTP layer could not decode (broken framing such as a Content-Length that is not a
     * number, a request line or headers over their limits) with a JSON error, then closes the connection, since
     * what follows on it cannot be read reliably.
     */
    public static void malformed(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiException error;
        if (cause instanceof ApiException refused) {
            error = refused;
        } else if (cause instanceof TooLongHttpLineException) {
            error = new ApiException(414, "request line too long",
                    "the method, path and query must fit in " + HttpService.MAX_REQUEST_LINE + " bytes", 0);
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new ApiException(431, "request headers too large",
                    "the headers must fit in " + HttpService.MAX_HEADERS + " bytes", 0);
        } else {
            error = ApiException.badRequest("malformed HTTP request", decoderProblem(cause));
        }
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(request.response(), error);
        request.connection().close();
    }

    public static void send(HttpServerResponse response, ApiException error) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON);
        if (error.retryAfterSeconds() > 0) {
            response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(error.retryAfterSeconds()));
        }
        if (error.status() == 401) {
            response.putHeader("WWW-Authenticate", io.tophat.security.Access.challenge());
        }
        response.end(body(error));
    }

    /**
     * A whole HTTP/1.1 answer to {@code error} as bytes, with {@code Connection: close}, for the answers written
     * beneath the HTTP encoder before closing a connection (a refused connection, a request out of time). Built
     * once: write a {@link ByteBuf#duplicate() duplicate} each time, the buffer itself is never released.
     */
    static ByteBuf closingAnswer(ApiException error) {
        byte[] body = body(error).getBytes();
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(error.status()).append(' ')
                .append(HttpResponseStatus.valueOf(error.status()).reasonPhrase()).append("\r\n")
                .append("Content-Type: ").append(Responses.JSON).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (error.retryAfterSeconds() > 0) {
            head.append("Retry-After: ").append(error.retryAfterSeconds()).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(headBytes.length + body.length)
                .writeBytes(headBytes).writeBytes(body));
    }

    static Buffer body(ApiException error) {
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("error", error.error());
            if (error.detail() != null) {
                gen.writeStringField("detail", error.detail());
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }
}
