package io.tophat.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves one {@link RouteTable} on one address from every event loop: one HTTP server per event loop, all sharing
 * the listening socket.
 */
public final class HttpService {
    /** The kernel caps this at net.core.somaxconn; the report's test opens 500 connections at once. */
    private static final int ACCEPT_BACKLOG = 8192;
    private static final int FREE_PORT_ATTEMPTS = 5;
    /** Longest request line (method, path, query) and header block accepted, in bytes. */
    static final int MAX_REQUEST_LINE = 8192;
    static final int MAX_HEADERS = 8192;

    private final Vertx vertx;
    private String deploymentId;
    private volatile int port;

    public HttpService(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Starts listening, serving {@code routes}; completes with the bound port. Every instance serves the port from
     * the start. Port 0 picks a free port below the kernel's ephemeral range, so that no client connection can take
     * it while the servers bind (a few attempts if another process takes it first).
     */
    public Future<Integer> start(RouteTable routes, String host, int requestedPort, int instances) {
        Handler<HttpServerRequest> handler = routes.handler();
        return requestedPort != 0 ? listen(handler, host, requestedPort, instances)
                : listenOnFreePort(handler, host, instances, FREE_PORT_ATTEMPTS);
    }

    private Future<Integer> listenOnFreePort(Handler<HttpServerRequest> handler, String host, int instances,
                                             int attemptsLeft) {
        return listen(handler, host, freePort(), instances).recover(e -> attemptsLeft > 1
                && e instanceof java.net.BindException
                ? listenOnFreePort(handler, host, instances, attemptsLeft - 1) : Future.failedFuture(e));
    }

    private Future<Integer> listen(Handler<HttpServerRequest> handler, String host, int listenPort, int instances) {
        return deploy(handler, host, listenPort, instances).map(id -> {
            deploymentId = id;
            return port;
        });
    }

    /** A port between 20000 and 32767 (below Linux's ephemeral range) that nothing listens on now. */
    private static int freePort() {
        for (int i = 0; i < 100; i++) {
            int candidate = 20_000 + ThreadLocalRandom.current().nextInt(12_768);
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("0.0.0.0", candidate));
                return candidate;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IllegalStateException("found no free port between 20000 and 32767");
    }

    private Future<String> deploy(Handler<HttpServerRequest> handler, String host, int listenPort, int instances) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(listenPort)
                .setAcceptBacklog(ACCEPT_BACKLOG)
                .setTcpNoDelay(true)
                .setIdleTimeout(120)
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADERS)
                // HTTP/1.1 only, without WebSockets: no HTTP/2 preface sniffing and no WebSocket extension handler in
                // every new connection's pipeline (the report's test opens a connection per request)
                .setHttp2ClearTextEnabled(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        return vertx.deployVerticle(() -> new ServerVerticle(handler, options, this),
                new DeploymentOptions().setInstances(instances));
    }

    public int port() {
        return port;
    }

    /** Stops listening; requests in flight are answered first. */
    public Future<Void> stop() {
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }

    private static final class ServerVerticle extends VerticleBase {
        private final Handler<HttpServerRequest> handler;
        private final HttpServerOptions options;
        private final HttpService owner;

        ServerVerticle(Handler<HttpServerRequest> handler, HttpServerOptions options, HttpService owner) {
            this.handler = handler;
            this.options = options;
            this.owner = owner;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(options).connectionHandler(RequestScreen::install).requestHandler(handler)
                    .invalidRequestHandler(ErrorResponder::malformed).listen()
                    .onSuccess(server -> owner.port = server.actualPort());
        }
    }
}
