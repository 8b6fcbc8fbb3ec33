package io.tophat.balancer;

import io.tophat.geo.NearQuery;
import io.tophat.http.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/near?lat=&lon=&radius_m=&limit=&seen_since=} on the balancer: asks every live worker in
 * parallel (each answers from its in-memory index), merges nearest first and names each producer's worker. A
 * producer that moved may still be in its old worker's index: the answer of the worker the balancer assigned it to
 * wins, else the most recent position. A worker that does not answer makes the answer {@code complete: false}.
 */
final class NearHandlers {
    private final Balancer balancer;
    private final WorkerClient workers;

    private final io.tophat.security.Access access;

    NearHandlers(Balancer balancer, WorkerClient workers, io.tophat.security.Access access) {
        this.access = access;
        this.balancer = balancer;
        this.workers = workers;
    }

    /** A producer's position as one worker's index has it. */
    record Found(WorkerClient.NearItem item, Member worker) {
    }

    /** Every live worker's answer merged, nearest first, and the workers that did not answer. */
    record Merged(List<Found> items, List<String> missing) {
    }

    void near(RoutingContext rc) {
        NearQuery query = NearQuery.parse(rc.queryParams());
        fanOut(query, access.onBehalfOf(rc)).onSuccess(merged -> {
            List<Map<String, Object>> items = new ArrayList<>();
            for (Found f : merged.items()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("producer", f.item().producer());
                item.put("distance_m", f.item().distanceM());
                item.put("location", position(f.item().lat(), f.item().lon()));
                item.put("time", f.item().time());
                item.put("worker", f.worker().url());
                items.add(item);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", items);
            body.put("complete", merged.missing().isEmpty());
            body.put("missing", merged.missing());
            Responses.json(rc.response(), 200, body);
        });
    }

    /** Asks every live worker in parallel; never fails (a worker that does not answer is missing). */
    Future<Merged> fanOut(NearQuery query, String authorization) {
        List<Member> asked = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Member m : balancer.membership().all()) {
            if (m.alive()) {
                asked.add(m);
            } else {
                missing.add(m.id());
            }
        }
        List<Future<List<WorkerClient.NearItem>>> calls = new ArrayList<>();
        for (Member m : asked) {
            calls.add(workers.near(m.url(), query, authorization));
        }
        return Future.join(calls).transform(done -> {
            Map<String, Found> best = new HashMap<>();
            for (int i = 0; i < calls.size(); i++) {
                Future<List<WorkerClient.NearItem>> f = calls.get(i);
                if (f.failed()) {
                    missing.add(asked.get(i).id());
                    continue;
                }
                for (WorkerClient.NearItem item : f.result()) {
                    Found found = new Found(item, asked.get(i));
                    best.merge(item.producer(), found, this::preferred);
                }
            }
            List<Found> merged = new ArrayList<>(best.values());
            merged.sort(Comparator.comparingDouble((Found f) -> f.item().distanceM())
                    .thenComparing(f -> f.item().producer()));
            return Future.succeededFuture(new Merged(List.copyOf(merged.subList(0, Math.min(merged.size(),
                    query.limit()))), missing));
        });
    }

    /** Of two workers' positions of one producer: the assigned worker's, else the more recent. */
    private Found preferred(Found a, Found b) {
        Assignment assigned = balancer.assignments().get(a.item().producer());
        if (assigned != null) {
            if (assigned.workerId().equals(a.worker().id())) {
                return a;
            }
            if (assigned.workerId().equals(b.worker().id())) {
                return b;
            }
        }
        return a.item().time() >= b.item().time() ? a : b;
    }

    static Map<String, Object> position(double lat, double lon) {
        Map<String, Object> at = new LinkedHashMap<>();
        at.put("lat", lat);
        at.put("lon", lon);
        return at;
    }
}
