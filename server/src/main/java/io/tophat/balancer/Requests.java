package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.JsonLimits;
import io.tophat.protocol.ProducerId;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** Reading what a balancer request carries: ids, ports, hosts and JSON bodies, each checked, 400 when wrong. */
final class Requests {
    /** The error of a JSON body beyond {@link JsonLimits}' bounds (422). */
    static final String BEYOND_LIMITS = "JSON beyond limits";

    private Requests() {
    }

    static String producerId(RoutingContext rc) {
        return validProducerId(rc.pathParam("id"));
    }

    static String validProducerId(String id) {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        return id;
    }

    static int port(RoutingContext rc) {
        String raw = rc.pathParam("port");
        try {
            int port = Integer.parseInt(raw);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("invalid port", "the port must be a number between 1 and 65535");
    }

    static String sourceHost(RoutingContext rc) {
        return rc.request().remoteAddress().hostAddress();
    }

    /** The seed protocol's worker host: the {@code host} parameter when given, else the request's source address. */
    static String seedHost(RoutingContext rc) {
        String host = rc.queryParams().get("host");
        if (host == null || host.isBlank()) {
            return sourceHost(rc);
        }
        String problem = WorkerAddress.hostProblem(host);
        if (problem != null) {
            throw ApiException.badRequest("invalid host", problem);
        }
        return host;
    }

    /** The {@code failed} parameter of a registration: a worker base URL, or null. */
    static String failedWorker(RoutingContext rc) {
        String failed = rc.queryParams().get("failed");
        if (failed == null || failed.isBlank()) {
            return null;
        }
        if (WorkerAddress.urlProblem(failed) != null) {
            throw ApiException.badRequest("invalid failed worker", "failed must be a worker URL such as http://host:6000");
        }
        return failed;
    }

    /** Assigns the producer (keeping a live worker it has); fails with {@link NoWorkersException} when none can. */
    static Future<Assignment> assign(Balancer balancer, String producer, RoutingContext rc) {
        String failed = failedWorker(rc);
        return balancer.lookUp(producer).compose(v -> {
            try {
                return balancer.assign(producer, failed);
            } catch (NoWorkersException e) {
                return Future.failedFuture(e);
            }
        });
    }

    static <T> T readBody(RoutingContext rc, Class<T> type) {
        return readBody(rc, type, null);
    }

    /**
     * Reads a JSON body as {@code type} within {@link JsonLimits}: 400 when it is empty or not that JSON, 422 beyond
     * a bound; {@code exempt} names the top-level member whose object may have any number of members (a worker's
     * {@code holds}), or is null.
     */
    static <T> T readBody(RoutingContext rc, Class<T> type, String exempt) {
        Buffer body = rc.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiException.badRequest("empty body", "send a JSON object");
        }
        try {
            return JsonLimits.read(body.getBytes(), type, exempt);
        } catch (JsonLimits.Refused e) {
            throw refused(e, "malformed JSON");
        }
    }

    /** The answer to a refused body: 400 {@code malformedError} when it is not the JSON asked for, 422 beyond a bound. */
    static ApiException refused(JsonLimits.Refused e, String malformedError) {
        return e.malformed() ? ApiException.badRequest(malformedError, e.detail())
                : ApiException.unprocessable(BEYOND_LIMITS, e.detail());
    }
}
