package io.tophat.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A balancer that assigns workers round robin, skipping the one named in {@code ?failed=} when it can, and
 * redirects consumers to the assigned worker. Records every registration's {@code failed} parameter.
 */
final class FakeBalancer implements AutoCloseable {
    private final HttpServer server = FakeHttp.start();
    private final List<URI> workers = new CopyOnWriteArrayList<>();
    private final List<String> failedParams = new CopyOnWriteArrayList<>();
    private final Map<String, URI> assignments = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile String retryAfterWhenDead;

    FakeBalancer(URI... workers) {
        this.workers.addAll(List.of(workers));
        server.createContext("/register/", this::register);
        server.createContext("/get_data/", exchange -> redirect(exchange, 302, "/get_data/"));
        server.createContext("/api/v1/producers/", exchange -> redirect(exchange, 307, "/api/v1/producers/"));
    }

    URI uri() {
        return FakeHttp.baseOf(server);
    }

    void addWorker(URI worker) {
        workers.add(worker);
    }

    void assign(String producer, URI worker) {
        assignments.put(producer, worker);
    }

    /** From now on, answer consumers 503 with this Retry-After (seconds), as when a producer's worker is dead. */
    void answerDead(String retryAfterSeconds) {
        retryAfterWhenDead = retryAfterSeconds;
    }

    int registrations() {
        return failedParams.size();
    }

    /** The {@code failed} parameter of each registration, in order; empty text when it had none. */
    List<String> failedParams() {
        return failedParams;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void register(HttpExchange exchange) throws IOException {
        String failed = failedParam(exchange);
        failedParams.add(failed);
        if (workers.isEmpty()) {
            FakeHttp.respond(exchange, 400, "text/plain", "No workers are online right now");
            return;
        }
        URI chosen = null;
        for (int i = 0; i < workers.size() && chosen == null; i++) {
            URI candidate = workers.get(Math.floorMod(next.getAndIncrement(), workers.size()));
            if (!candidate.toString().equals(failed) || workers.size() == 1) {
                chosen = candidate;
            }
        }
        assignments.put(FakeHttp.lastSegment(exchange), chosen);
        FakeHttp.respond(exchange, 200, "text/plain", chosen.toString());
    }

    private void redirect(HttpExchange exchange, int status, String path) throws IOException {
        String id = FakeHttp.lastSegment(exchange);
        URI worker = assignments.get(id);
        if (retryAfterWhenDead != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfterWhenDead);
            FakeHttp.respond(exchange, 503, "application/json",
                    "{\"error\":\"worker unavailable\",\"detail\":\"the producer's worker is not answering\"}");
        } else if (worker == null && status == 302) {
            FakeHttp.respond(exchange, 400, "text/plain", "Producer does not exist");
        } else if (worker == null) {
            FakeHttp.respond(exchange, 404, "application/json", "{\"error\":\"unknown producer\",\"detail\":\"" + id + "\"}");
        } else {
            FakeHttp.redirect(exchange, status, URI.create(worker + path + id));
        }
    }

    private static String failedParam(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return "";
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("failed=")) {
                return URLDecoder.decode(pair.substring("failed=".length()), StandardCharsets.UTF_8);
            }
        }
        return "";
    }
}
