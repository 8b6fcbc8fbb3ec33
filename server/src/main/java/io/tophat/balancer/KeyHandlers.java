package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.protocol.KeyGrant;
import io.tophat.security.ConsumerKey;
import io.tophat.security.KeyScope;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API v1 for operators (behind the cluster secret): make a consumer key (shown once), list the keys (never a key
 * or its hash), revoke one.
 */
final class KeyHandlers {
    /** The most keys a cluster keeps: each worker holds them all in memory. */
    static final int MAX_KEYS = 10_000;

    private final Balancer balancer;

    KeyHandlers(Balancer balancer) {
        this.balancer = balancer;
    }

    /** What {@code POST /api/v1/keys} takes. */
    record NewKey(String name, List<String> producers, List<String> prefixes, List<String> ops, Double rate) {
    }

    /** {@code POST /api/v1/keys}: 201 with the key, which is kept nowhere and cannot be shown again. */
    void create(RoutingContext rc) {
        NewKey asked = Requests.readBody(rc, NewKey.class);
        if (asked == null || asked.name() == null) {
            throw ApiException.unprocessable("invalid key", "send {\"name\": ..., \"producers\": [...], "
                    + "\"prefixes\": [...], \"ops\": [...], \"rate\": N}; only the name is required");
        }
        String problem = ConsumerKey.nameProblem(asked.name());
        if (problem != null) {
            throw ApiException.unprocessable("invalid key name", problem);
        }
        if (balancer.keys().named(asked.name()) == null && balancer.keys().keys().size() >= MAX_KEYS) {
            throw ApiException.conflict("too many keys", "a cluster keeps at most " + MAX_KEYS + " keys; revoke some");
        }
        KeyScope scope;
        try {
            scope = ConsumerKey.scope(orEmpty(asked.producers()), orEmpty(asked.prefixes()), orEmpty(asked.ops()),
                    asked.rate() == null ? Double.parseDouble(KeyScope.DEFAULT_RATE) : asked.rate());
        } catch (IllegalArgumentException e) {
            throw ApiException.unprocessable("invalid key scope", e.getMessage());
        }
        String key = ConsumerKey.newKey();
        ConsumerKey made = ConsumerKey.issued(asked.name(), key, scope, System.currentTimeMillis());
        boolean replaced = balancer.keys().named(made.name()) != null;
        balancer.saveKey(made).onSuccess(v -> {
            Map<String, Object> body = view(made.grant());
            body.put("key", key);
            body.put("replaced", replaced);
            Responses.json(rc.response(), 201, body);
        }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    /** {@code GET /api/v1/keys}. */
    void list(RoutingContext rc) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (ConsumerKey k : balancer.keys().keys()) {
            items.add(view(k.grant()));
        }
        Responses.json(rc.response(), 200, Map.of("items", items));
    }

    /** {@code DELETE /api/v1/keys/{name}}: 204; refused here at once, at the workers within a lease interval. */
    void revoke(RoutingContext rc) {
        String name = rc.pathParam("name");
        if (balancer.keys().named(name) == null) {
            throw ApiException.notFound("unknown key", "no key has that name; GET /api/v1/keys lists them");
        }
        balancer.revokeKey(name).onSuccess(v -> rc.response().setStatusCode(204).end())
                .onFailure(e -> rc.fail(BalancerErrors.toHttp(e, null, false)));
    }

    private static Map<String, Object> view(KeyGrant g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", g.name());
        out.put("producers", g.producers());
        out.put("prefixes", g.prefixes());
        out.put("ops", g.ops());
        out.put("rate", g.rate());
        out.put("created_at", g.createdAt());
        return out;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
