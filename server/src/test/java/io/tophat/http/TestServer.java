package io.tophat.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A trivial server on a free loopback port, served by {@link HttpService} from two event loops, for the tests of the
 * HTTP layer's own defences: {@code GET /} answers {@code ok}; {@code POST /echo} reads the whole body and answers
 * its length; {@code GET /stream} streams an event every 100 ms for {@link #STREAM_EVENTS} events; {@code GET /ws}
 * is a WebSocket that echoes text messages.
 */
final class TestServer implements AutoCloseable {
    static final int STREAM_EVENTS = 10;
    private static final int INSTANCES = 2;

    private final HttpService service;

    private TestServer(HttpService service) {
        this.service = service;
    }

    static TestServer start(Vertx vertx, HttpLimits limits) {
        return start(vertx, limits, Optional.empty());
    }

    static TestServer start(Vertx vertx, HttpLimits limits, Optional<ServerTls> tls) {
        RouteTable routes = new RouteTable(vertx)
                .fastExact("/", request -> Responses.text(request.response(), 200, "ok"))
                .fastExact("/echo", request -> BoundedBody.read(request, 1 << 20).onComplete(body -> {
                    if (body.succeeded()) {
                        Responses.text(request.response(), 200, Integer.toString(body.result().length()));
                    } else {
                        ErrorResponder.fail(request, body.cause());
                    }
                }));
        routes.router().get("/stream").handler(rc -> stream(vertx, rc.response()));
        routes.router().get("/ws").handler(rc -> rc.request().toWebSocket()
                .onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage)).onFailure(rc::fail));
        HttpService service = new HttpService(vertx);
        await(service.start(routes, "127.0.0.1", 0, INSTANCES, limits, tls));
        return new TestServer(service);
    }

    /** Limits with the given request timeout and caps, the default idle timeout. */
    static HttpLimits limits(Duration requestTimeout, int maxConnections, int maxConnectionsPerAddress) {
        return new HttpLimits(requestTimeout, HttpLimits.DEFAULT.idleTimeout(), maxConnections,
                maxConnectionsPerAddress);
    }

    int port() {
        return service.port();
    }

    String uri(String path) {
        return service.scheme() + "://127.0.0.1:" + port() + path;
    }

    HttpService service() {
        return service;
    }

    ConnectionCaps caps() {
        return service.guard().caps();
    }

    @Override
    public void close() {
        await(service.stop());
    }

    private static void stream(Vertx vertx, HttpServerResponse response) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").write(": open\n\n");
        int[] sent = {0};
        vertx.setPeriodic(100, timer -> {
            if (response.closed()) {
                vertx.cancelTimer(timer);
            } else if (++sent[0] < STREAM_EVENTS) {
                response.write("data: " + sent[0] + "\n\n");
            } else {
                vertx.cancelTimer(timer);
                response.end("data: " + sent[0] + "\n\n");
            }
        });
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
