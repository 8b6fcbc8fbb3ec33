package io.tophat.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Serves one {@link RouteTable} on one address from every event loop: one HTTP server per event loop, all sharing
 * the listening socket, over plain HTTP or, given a {@link ServerTls}, HTTPS. Within {@link HttpLimits}: the
 * connection caps count every connection of this service, all event loops together (two services in one process
 * count apart).
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
    private volatile String scheme = "http";
    private volatile ConnectionGuard guard;

    public HttpService(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts as {@link #start(RouteTable, String, int, int, HttpLimits, Optional)} does, with the default limits. */
    public Future<Integer> start(RouteTable routes, String host, int requestedPort, int instances) {
        return start(routes, host, requestedPort, instances, HttpLimits.DEFAULT, Optional.empty());
    }

    /**
     * Starts listening, serving {@code routes} within {@code limits}, over HTTPS when {@code tls} is given; completes
     * with the bound port. Every instance serves the port from the start. Port 0 picks a free port below the
     * kernel's ephemeral range, so that no client connection can take it while the servers bind (a few attempts if
     * another process takes it first).
     */
    public Future<Integer> start(RouteTable routes, String host, int requestedPort, int instances, HttpLimits limits,
                                 Optional<ServerTls> tls) {
        Handler<HttpServerRequest> handler = routes.handler();
        guard = new ConnectionGuard(limits);
        scheme = tls.isPresent() ? "https" : "http";
        Server server = new Server(handler, guard, limits, tls);
        return requestedPort != 0 ? listen(server, host, requestedPort, instances)
                : listenOnFreePort(server, host, instances, FREE_PORT_ATTEMPTS);
    }

    private Future<Integer> listenOnFreePort(Server server, String host, int instances, int attemptsLeft) {
        return listen(server, host, freePort(), instances).recover(e -> attemptsLeft > 1
                && e instanceof java.net.BindException
                ? listenOnFreePort(server, host, instances, attemptsLeft - 1) : Future.failedFuture(e));
    }

    private Future<Integer> listen(Server server, String host, int listenPort, int instances) {
        return deploy(server, host, listenPort, instances).map(id -> {
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

    private Future<String> deploy(Server server, String host, int listenPort, int instances) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(listenPort)
                .setAcceptBacklog(ACCEPT_BACKLOG)
                .setTcpNoDelay(true)
                .setIdleTimeout((int) server.limits().idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADERS)
                // HTTP/1.1 only, without WebSockets: no HTTP/2 preface sniffing and no WebSocket extension handler in
                // every new connection's pipeline (the report's test opens a connection per request)
                .setHttp2ClearTextEnabled(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        server.tls().ifPresent(tls -> options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(tls.certPath().toString()).setKeyPath(tls.keyPath().toString())));
        return vertx.deployVerticle(() -> new ServerVerticle(server, options, this),
                new DeploymentOptions().setInstances(instances));
    }

    public int port() {
        return port;
    }

    /** {@code https} when started with TLS, else {@code http}. */
    public String scheme() {
        return scheme;
    }

    /** The connection guard of the last start; for tests. */
    ConnectionGuard guard() {
        return guard;
    }

    /** Stops listening; requests in flight are answered first. */
    public Future<Void> stop() {
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }

    /** What every instance serves, and how. */
    private record Server(Handler<HttpServerRequest> handler, ConnectionGuard guard, HttpLimits limits,
                          Optional<ServerTls> tls) {
    }

    private static final class ServerVerticle extends VerticleBase {
        private final Server server;
        private final HttpServerOptions options;
        private final HttpService owner;

        ServerVerticle(Server server, HttpServerOptions options, HttpService owner) {
            this.server = server;
            this.options = options;
            this.owner = owner;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(options).connectionHandler(server.guard()).requestHandler(server.handler())
                    .invalidRequestHandler(ErrorResponder::malformed).listen()
                    .onSuccess(listening -> owner.port = listening.actualPort());
        }
    }
}
