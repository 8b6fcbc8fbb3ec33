package io.tophat.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * Serves one router on one address from every event loop: one HTTP server per event loop, all sharing the
 * listening socket. Port 0 picks a free port, which every event loop then shares.
 */
public final class HttpService {
    /** The kernel caps this at net.core.somaxconn; the report's test opens 500 connections at once. */
    private static final int ACCEPT_BACKLOG = 8192;

    private final Vertx vertx;
    private String deploymentId;
    private volatile int port;

    public HttpService(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Starts listening; completes with the bound port. A fixed port is served by every instance from the start;
     * port 0 is bound once to learn the port, then served by every instance (the tests' case).
     */
    public Future<Integer> start(Router router, String host, int requestedPort, int instances) {
        if (requestedPort != 0) {
            return deploy(router, host, requestedPort, instances).map(id -> {
                deploymentId = id;
                return port;
            });
        }
        return deploy(router, host, requestedPort, 1).compose(firstId -> {
            Future<String> rest = instances > 1
                    ? vertx.undeploy(firstId).compose(v -> deploy(router, host, port, instances))
                    : Future.succeededFuture(firstId);
            return rest.map(id -> {
                deploymentId = id;
                return port;
            });
        });
    }

    private Future<String> deploy(Router router, String host, int listenPort, int instances) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(listenPort)
                .setAcceptBacklog(ACCEPT_BACKLOG)
                .setTcpNoDelay(true)
                .setIdleTimeout(120)
                .setMaxInitialLineLength(8192);
        return vertx.deployVerticle(() -> new ServerVerticle(router, options, this),
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
        private final Router router;
        private final HttpServerOptions options;
        private final HttpService owner;

        ServerVerticle(Router router, HttpServerOptions options, HttpService owner) {
            this.router = router;
            this.options = options;
            this.owner = owner;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(options).requestHandler(router).listen()
                    .onSuccess(server -> owner.port = server.actualPort());
        }
    }
}
