package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.ErrorResponder;
import io.tophat.http.Responses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** The report's own balancer paths: worker join and leave, producer registration, and the consumer redirect. */
final class SeedHandlers {
    static final String DATA = "/get_data/";

    private final Balancer balancer;
    private final io.tophat.security.Access access;

    SeedHandlers(Balancer balancer, io.tophat.security.Access access) {
        this.balancer = balancer;
        this.access = access;
    }

    /**
     * {@code GET /balancer/{port}[?host=]}: a worker registers, or renews its lease by registering again (it is
     * marked dead, like any worker, after three lease intervals of silence).
     */
    void join(RoutingContext rc) {
        int port = Requests.port(rc);
        String url = "http://" + WorkerAddress.forUrl(Requests.seedHost(rc)) + ":" + port;
        Worker worker = new Worker(Worker.idOf(url), url, null, true, System.currentTimeMillis());
        balancer.joinSeed(worker).onSuccess(m -> Responses.text(rc.response(), 200, url))
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, true)));
    }

    /** {@code GET /worker/quit/{port}[?host=]}: a worker leaves. */
    void leave(RoutingContext rc) {
        String id = Worker.idOf("http://" + WorkerAddress.forUrl(Requests.seedHost(rc)) + ":" + Requests.port(rc));
        balancer.leave(id).onSuccess(known -> {
            if (known) {
                Responses.text(rc.response(), 200, "Worker " + id + " has left");
            } else {
                rc.fail(ApiException.badRequest("Worker does not exist", "no worker registered as " + id));
            }
        }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, true)));
    }

    /** {@code GET /register/{id}[?failed=]}: the producer's worker URL as plain text. */
    void register(RoutingContext rc) {
        String id = Requests.producerId(rc);
        access.requireProducer(rc.request(), id);
        Requests.assign(balancer, id, rc)
                .onSuccess(a -> Responses.text(rc.response(), 200, balancer.member(a.workerId()).url()))
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, id, true)));
    }

    /** {@code GET /get_data/{id}} through the router (an id with escapes or a slash). */
    void redirect(RoutingContext rc) {
        redirect(Requests.producerId(rc), rc.request());
    }

    /**
     * The consumers' hot path, {@code GET /get_data/{id}} with a plain id, answered ahead of the router; an id with
     * escapes or a slash, or another method, goes to the router.
     */
    boolean redirectFast(HttpServerRequest request) {
        String path = request.path();
        if (request.method() != HttpMethod.GET || path.indexOf('%', DATA.length()) >= 0
                || path.indexOf('/', DATA.length()) >= 0) {
            return false;
        }
        try {
            String id = Requests.validProducerId(path.substring(DATA.length()));
            access.requireConsumer(request, io.tophat.security.Op.READ, id);
            redirect(id, request);
        } catch (ApiException e) {
            ErrorResponder.send(request.response(), e);
        }
        return true;
    }

    private void redirect(String id, HttpServerRequest request) {
        Route route = balancer.route(id);
        if (route instanceof Route.Unknown && balancer.sharesState()) {
            balancer.lookUp(id).onComplete(v -> answer(id, balancer.route(id), request));
            return;
        }
        answer(id, route, request);
    }

    /** The redirect keeps the query, so that a credential given as {@code ?token=} reaches the worker too. */
    private static void answer(String id, Route route, HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (route instanceof Route.To to) {
            String query = request.query();
            Responses.redirect(response, 302, query == null ? to.workerUrl() + DATA + id
                    : to.workerUrl() + DATA + id + "?" + query);
        } else {
            ErrorResponder.send(response, BalancerErrors.routeFailure(id, route, true));
        }
    }
}
