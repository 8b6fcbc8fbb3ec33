package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.http.WireText;
import io.tophat.protocol.LeaseRenewal;
import io.tophat.protocol.ProducerId;
import io.tophat.protocol.WorkerRegistration;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** API v1 for workers and operators: register, renew a lease, drain, leave, and the cluster view. */
final class MembershipHandlers {
    /** The member listing every producer a worker holds: as many members as it holds producers. */
    private static final String HOLDS = "holds";

    private final Balancer balancer;

    MembershipHandlers(Balancer balancer) {
        this.balancer = balancer;
    }

    /**
     * A body above this size (a report of every producer a worker holds: about 30 bytes each) is read, checked and
     * reconciled on a worker thread, so the redirects of a balancer that just restarted with a million producers
     * do not wait behind its workers' first reports.
     */
    static final int LARGE_BODY = 64 * 1024;

    /** {@code POST /api/v1/workers}: answers the first lease. */
    void join(RoutingContext rc) {
        offTheLoopWhenLarge(rc, this::joinNow);
    }

    /** {@code PUT /api/v1/workers/{wid}/lease} with the worker's load, acknowledgement and health (all optional). */
    void renew(RoutingContext rc) {
        Member member = balancer.member(rc.pathParam("wid"));
        if (member == null || !large(rc)) {
            renewNow(rc);
            return;
        }
        member.readingRenewal();
        offTheLoop(rc, this::renewNow).onComplete(r -> member.renewalRead(System.nanoTime()));
    }

    private static void offTheLoopWhenLarge(RoutingContext rc, Consumer<RoutingContext> handler) {
        if (large(rc)) {
            offTheLoop(rc, handler);
        } else {
            handler.accept(rc);
        }
    }

    private static boolean large(RoutingContext rc) {
        Buffer body = rc.body().buffer();
        return body != null && body.length() >= LARGE_BODY;
    }

    /** Runs {@code handler} on a worker thread; completes when it has returned (its answer may follow). */
    private static Future<Void> offTheLoop(RoutingContext rc, Consumer<RoutingContext> handler) {
        return rc.vertx().<Void>executeBlocking(() -> {
            handler.accept(rc);
            return null;
        }, false).onFailure(rc::fail);
    }

    private void joinNow(RoutingContext rc) {
        WorkerRegistration reg = Requests.readBody(rc, WorkerRegistration.class, HOLDS);
        if (reg == null) {
            throw ApiException.unprocessable("invalid registration", "send a JSON object {\"url\"} or {\"port\"}");
        }
        String url = reg.url();
        if (url == null || url.isBlank()) {
            if (reg.port() < 1 || reg.port() > 65535) {
                throw ApiException.unprocessable("invalid registration", "give url, or a port between 1 and 65535");
            }
            url = (reg.tls() ? "https://" : "http://") + WorkerAddress.forUrl(Requests.sourceHost(rc)) + ":" + reg.port();
        } else {
            String problem = WorkerAddress.urlProblem(url);
            if (problem != null) {
                throw ApiException.unprocessable("invalid registration", problem);
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        checkHolds(reg.holds());
        checkCommitKey(reg.commitKey(), "invalid registration");
        String store = reg.store() == null || reg.store().isBlank() ? null : reg.store();
        Worker worker = new Worker(Worker.idOf(url), url, store, false, System.currentTimeMillis());
        Future<Member> joined;
        try {
            joined = balancer.join(new Balancer.Joining(worker, reg.storeProof(), reg.storeShared(), reg.holds(),
                    reg.commitKey() == null ? -1 : reg.commitKey()));
        } catch (StoreClaims.Refused e) {
            throw ApiException.conflict("store identity refused", e.getMessage());
        }
        joined.onSuccess(m -> Responses.json(rc.response(), 200, balancer.lease(m, null, 0)))
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    private void renewNow(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (balancer.member(wid) == null) {
            throw ApiException.notFound("unknown worker", "no worker " + WireText.echo(wid) + "; register again");
        }
        Buffer body = rc.body().buffer();
        LeaseRenewal renewal = body == null || body.length() == 0 ? new LeaseRenewal(null, null, null, 0, 0, null)
                : Requests.readBody(rc, LeaseRenewal.class, HOLDS);
        if (renewal == null) {
            throw ApiException.unprocessable("invalid lease renewal", "send a JSON object, or no body at all");
        }
        if (renewal.storeFailingMs() < 0) {
            throw ApiException.unprocessable("invalid lease renewal", "store_failing_ms must not be negative");
        }
        if (renewal.holds() != null) {
            checkHolds(renewal.holds());
        }
        checkCommitKey(renewal.commitKey(), "invalid lease renewal");
        balancer.renew(wid, renewal).onSuccess(lease -> {
            if (lease == null) {
                rc.fail(ApiException.notFound("unknown worker", "no worker " + WireText.echo(wid) + "; register again"));
            } else {
                Responses.json(rc.response(), 200, lease);
            }
        }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    /** A report of held producers: valid producer ids, each with an epoch of 0 or more. */
    private static void checkHolds(Map<String, Long> holds) {
        for (Map.Entry<String, Long> e : holds.entrySet()) {
            String problem = ProducerId.problem(e.getKey());
            if (problem != null) {
                throw ApiException.unprocessable("invalid holds", problem);
            }
            if (e.getValue() == null || e.getValue() < 0) {
                throw ApiException.unprocessable("invalid holds", "the epoch of " + e.getKey()
                        + " must be a number of 0 or more");
            }
        }
    }

    private static void checkCommitKey(Long key, String error) {
        if (key != null && key < 0) {
            throw ApiException.unprocessable(error, "commit_key must not be negative");
        }
    }

    /** {@code POST /api/v1/workers/{wid}/drain}. */
    void drain(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (!balancer.drain(wid)) {
            throw ApiException.notFound("unknown worker", "no worker " + WireText.echo(wid));
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
                rc.fail(ApiException.notFound("unknown worker", "no worker " + WireText.echo(wid)));
            }
        }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    /** {@code GET /api/v1/cluster}. */
    void cluster(RoutingContext rc) {
        long now = System.nanoTime();
        List<ClusterView.WorkerView> workers = new ArrayList<>();
        for (Member m : balancer.membership().all()) {
            workers.add(new ClusterView.WorkerView(m.id(), m.url(), m.alive(), m.assignable(), m.draining(),
                    m.storeFailingMs(), balancer.held(m.id()), m.worker().seed() ? "seed" : "v1",
                    (now - m.lastRenewalNanos()) / 1_000_000, m.worker().store(), m.load()));
        }
        workers.sort(Comparator.comparing(ClusterView.WorkerView::id));
        Responses.json(rc.response(), 200, new ClusterView(balancer.strategyName(),
                balancer.membership().leaseInterval().toMillis(), balancer.assignments().size(), workers));
    }
}
