package io.tophat.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every route of one server: the vertx-web {@link Router} for most, and the hottest few answered straight from
 * the server ahead of it (no routing context, no path matching beyond a map lookup or a prefix test). A server
 * lists both kinds in one method, so the table is the one place to read what it serves.
 */
public final class RouteTable {
    /** Serves a request taken ahead of the router; false hands it on to the router after all. */
    @FunctionalInterface
    public interface FastHandler {
        boolean handled(HttpServerRequest request);
    }

    private final Router router;
    private final Map<String, FastHandler> exact = new HashMap<>();
    private final List<String> prefixes = new ArrayList<>();
    private final List<FastHandler> prefixHandlers = new ArrayList<>();

    public RouteTable(Vertx vertx) {
        this.router = Router.router(vertx);
    }

    /** The router, for the routes that go through it. */
    public Router router() {
        return router;
    }

    /** Serves every method at exactly {@code path} ahead of the router; the handler answers a wrong method itself. */
    public RouteTable fastExact(String path, Handler<HttpServerRequest> handler) {
        exact.put(path, request -> {
            handler.handle(request);
            return true;
        });
        return this;
    }

    /** Offers every request whose path starts with {@code prefix} to {@code handler} before the router. */
    public RouteTable fastPrefix(String prefix, FastHandler handler) {
        prefixes.add(prefix);
        prefixHandlers.add(handler);
        return this;
    }

    /** The server's request handler: the fast routes first, then the router with the error handlers installed. */
    Handler<HttpServerRequest> handler() {
        Router routed = ErrorResponder.install(router);
        return request -> {
            if (!fastHandled(request)) {
                routed.handle(request);
            }
        };
    }

    private boolean fastHandled(HttpServerRequest request) {
        String path = request.path();
        if (path == null) {
            return false;
        }
        FastHandler exactHandler = exact.get(path);
        if (exactHandler != null) {
            return exactHandler.handled(request);
        }
        for (int i = 0; i < prefixes.size(); i++) {
            if (path.startsWith(prefixes.get(i)) && prefixHandlers.get(i).handled(request)) {
                return true;
            }
        }
        return false;
    }
}
