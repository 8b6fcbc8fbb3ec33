package io.tophat.balancer;

import io.tophat.http.Responses;
import io.vertx.ext.web.RoutingContext;

/** API v1 for producers and consumers: assignment, and the 307 to a producer's worker. */
final class ProducerHandlers {
    private final Balancer balancer;
    private final io.tophat.security.Access access;

    ProducerHandlers(Balancer balancer, io.tophat.security.Access access) {
        this.balancer = balancer;
        this.access = access;
    }

    /** {@code GET /api/v1/producers/{id}}: 307 to the same path on the producer's worker. */
    void redirect(RoutingContext rc) {
        String id = Requests.producerId(rc);
        Route route = balancer.route(id);
        if (route instanceof Route.Unknown && balancer.sharesState()) {
            balancer.lookUp(id).onComplete(v -> answer(rc, id, balancer.route(id)));
            return;
        }
        answer(rc, id, route);
    }

    private static void answer(RoutingContext rc, String id, Route route) {
        if (route instanceof Route.To to) {
            String query = rc.request().query();
            Responses.redirect(rc.response(), 307, to.workerUrl() + rc.request().path()
                    + (query == null ? "" : "?" + query));
        } else {
            rc.fail(BalancerErrors.routeFailure(id, route, false));
        }
    }

    /** {@code POST /api/v1/producers/{id}/assignment[?failed=]}. */
    void assign(RoutingContext rc) {
        String id = Requests.producerId(rc);
        access.requireProducer(rc.request(), id);
        Requests.assign(balancer, id, rc).onSuccess(a -> Responses.json(rc.response(), 200,
                        new AssignmentView(a.producer(), balancer.member(a.workerId()).url(), a.epoch())))
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, id, false)));
    }
}
