package io.tophat.balancer;

import io.tophat.history.HistoryRequest;
import io.tophat.http.ApiException;
import io.tophat.http.QueryParams;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * A page of {@code GET /api/v1/producers}: producers by id, each with its worker (the balancer's assignment) and
 * the time of its latest heartbeat as the live workers' stores report it. Without {@code seen_since} every
 * producer the balancer assigned is listed (those never heard from with {@code last_seen: null}); with it only
 * those seen since then. The page ends at the first id a worker's own page ended at, so no producer's time is
 * missed; the cursor carries the last id. A store no live worker reads (its worker is dead) makes the page
 * {@code complete: false} and names that worker.
 */
final class ProducerList {
    static final int MAX_LIMIT = 10_000;
    static final int DEFAULT_LIMIT = 1000;

    private final Balancer balancer;
    private final WorkerClient workers;

    ProducerList(Balancer balancer, WorkerClient workers) {
        this.balancer = balancer;
        this.workers = workers;
    }

    static int limit(String raw) {
        return QueryParams.limit(raw, DEFAULT_LIMIT, MAX_LIMIT);
    }

    static long seenSince(String raw) {
        return HistoryRequest.time(raw, "seen_since", Long.MIN_VALUE);
    }

    static String after(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("p|")) {
                return text.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw ApiException.badRequest("invalid cursor", "cursor is not a token a producer list gave");
    }

    private static String cursor(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("p|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** A page of the producers {@code within} accepts (a consumer key's scope). */
    Future<Map<String, Object>> page(String after, long seenSince, int limit, java.util.function.Predicate<String> within) {
        Map<String, Member> readers = new LinkedHashMap<>();
        Map<String, String> unread = new LinkedHashMap<>();
        for (Member m : balancer.membership().all()) {
            String key = Balancer.storeKey(m, m.id());
            if (m.alive()) {
                readers.putIfAbsent(key, m);
            } else {
                unread.putIfAbsent(key, m.id());
            }
        }
        readers.keySet().forEach(unread::remove);
        List<Member> asked = new ArrayList<>(readers.values());
        List<Future<List<WorkerClient.Seen>>> calls = new ArrayList<>();
        for (Member m : asked) {
            calls.add(workers.producers(m.url(), after, seenSince, limit));
        }
        return Future.join(calls).otherwiseEmpty().map(v -> {
            TreeMap<String, Long> seen = new TreeMap<>();
            String cut = null;
            List<String> missing = new ArrayList<>(unread.values());
            for (int i = 0; i < calls.size(); i++) {
                Future<List<WorkerClient.Seen>> f = calls.get(i);
                if (f.failed()) {
                    missing.add(asked.get(i).id());
                    continue;
                }
                List<WorkerClient.Seen> list = f.result();
                list.forEach(s -> seen.merge(s.producer(), s.time(), Math::max));
                if (list.size() == limit) {
                    String last = list.get(list.size() - 1).producer();
                    cut = cut == null || last.compareTo(cut) < 0 ? last : cut;
                }
            }
            TreeMap<String, Long> candidates = new TreeMap<>(seen);
            if (seenSince == Long.MIN_VALUE) {
                for (String id : smallestAfter(after, limit)) {
                    candidates.putIfAbsent(id, null);
                }
            }
            List<Map<String, Object>> producers = new ArrayList<>();
            String lastId = null;
            for (Map.Entry<String, Long> e : candidates.entrySet()) {
                if (producers.size() == limit || (cut != null && e.getKey().compareTo(cut) > 0)) {
                    break;
                }
                if (!within.test(e.getKey())) {
                    lastId = e.getKey(); // outside the caller's scope: passed over, the cursor moves on
                    continue;
                }
                Assignment a = balancer.assignments().get(e.getKey());
                Member holder = a == null ? null : balancer.member(a.workerId());
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("id", e.getKey());
                p.put("worker", holder == null ? null : holder.url());
                p.put("last_seen", e.getValue());
                producers.add(p);
                lastId = e.getKey();
            }
            boolean more = lastId != null && (producers.size() == limit || cut != null
                    || candidates.higherKey(lastId) != null);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("producers", producers);
            body.put("next", more ? cursor(lastId) : null);
            body.put("complete", missing.isEmpty());
            body.put("missing", missing);
            return body;
        });
    }

    /** The {@code limit} smallest assigned ids after {@code after}, in a bounded heap (not a sort of them all). */
    private List<String> smallestAfter(String after, int limit) {
        PriorityQueue<String> largestFirst = new PriorityQueue<>(limit + 1, (a, b) -> b.compareTo(a));
        for (String id : balancer.assignments().keySet()) {
            if (after == null || id.compareTo(after) > 0) {
                largestFirst.add(id);
                if (largestFirst.size() > limit) {
                    largestFirst.poll();
                }
            }
        }
        return new ArrayList<>(largestFirst);
    }
}
