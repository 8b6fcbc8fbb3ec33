package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.protocol.WorkerLoad;
import io.tophat.protocol.WorkerRegistration;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** API v1 for workers and operators: register, renew a lease, drain, leave, and the cluster view. */
final class MembershipHandlers {
    private static final long DEFAULT_LEASE_MS = 1000;

    private final Balancer balancer;

    MembershipHandlers(Balancer balancer) {
        this.balancer = balancer;
    }

    /** {@code POST /api/v1/workers}: answers the first lease. */
    void join(RoutingContext rc) {
        WorkerRegistration reg = Requests.readBody(rc, WorkerRegistration.class);
        if (reg == null) {
            throw ApiException.unprocessable("invalid registration", "send a JSON object {\"url\"} or {\"port\"}");
        }
        String url = reg.url();
        if (url == null || url.isBlank()) {
            if (reg.port() < 1 || reg.port() > 65535) {
                throw ApiException.unprocessable("invalid registration", "give url, or a port between 1 and 65535");
            }
            url = "http://" + WorkerAddress.forUrl(Requests.sourceHost(rc)) + ":" + reg.port();
        } else {
            String problem = WorkerAddress.urlProblem(url);
            if (problem != null) {
                throw ApiException.unprocessable("invalid registration", problem);
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        long lease = reg.leaseIntervalMs() > 0 ? reg.leaseIntervalMs() : DEFAULT_LEASE_MS;
        Worker worker = new Worker(Worker.idOf(url), url, reg.store(), lease, System.currentTimeMillis());
        balancer.join(worker).onSuccess(m -> Responses.json(rc.response(), 200, balancer.lease(m)))
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    /** {@code PUT /api/v1/workers/{wid}/lease} with the worker's load figures (optional). */
    void renew(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (balancer.member(wid) == null) {
            throw ApiException.notFound("unknown worker", "no worker " + wid + "; register again");
        }
        Buffer body = rc.body().buffer();
        WorkerLoad load = body == null || body.length() == 0 ? null : Requests.readBody(rc, WorkerLoad.class);
        if (!balancer.renew(wid, load)) {
            throw ApiException.notFound("unknown worker", "no worker " + wid + "; register again");
        }
        Responses.json(rc.response(), 200, balancer.lease(balancer.member(wid)));
    }

    /** {@code POST /api/v1/workers/{wid}/drain}. */
    void drain(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (!balancer.drain(wid)) {
            throw ApiException.notFound("unknown worker", "no worker " + wid);
        }
        Responses.json(rc.response(), 200, balancer.peekLease(balancer.member(wid)));
    }

    /** {@code DELETE /api/v1/workers/{wid}}. */
    void leave(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        balancer.leave(wid).onSuccess(known -> {
            if (known) {
                rc.response().setStatusCode(204).end();
            } else {
                rc.fail(ApiException.notFound("unknown worker", "no worker " + wid));
            }
        }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    /** {@code GET /api/v1/cluster}. */
    void cluster(RoutingContext rc) {
        long now = System.nanoTime();
        List<ClusterView.WorkerView> workers = new ArrayList<>();
        for (Member m : balancer.membership().all()) {
            workers.add(new ClusterView.WorkerView(m.id(), m.url(), m.alive(), m.assignable(), m.draining(),
                    balancer.held(m.id()), m.worker().leased(), (now - m.lastRenewalNanos()) / 1_000_000,
                    m.worker().store(), m.load()));
        }
        workers.sort(Comparator.comparing(ClusterView.WorkerView::id));
        Responses.json(rc.response(), 200, new ClusterView(balancer.strategyName(), balancer.assignments().size(), workers));
    }
}
