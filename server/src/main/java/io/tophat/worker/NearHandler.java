package io.tophat.worker;

import io.tophat.geo.NearIndex;
import io.tophat.geo.NearQuery;
import io.tophat.http.Responses;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/near?lat=&lon=&radius_m=&limit=&seen_since=} on a worker: the producers whose latest
 * position this worker holds within the radius, nearest first, from its in-memory index (never the store).
 */
final class NearHandler {
    private final NearIndex index;

    NearHandler(NearIndex index) {
        this.index = index;
    }

    void near(RoutingContext rc) {
        NearQuery q = NearQuery.parse(rc.queryParams());
        List<Map<String, Object>> items = new ArrayList<>();
        io.tophat.security.Caller caller = io.tophat.security.Access.caller(rc);
        for (NearIndex.Near n : index.near(q.lat(), q.lon(), q.radiusM(), q.limit(), q.seenSince(), caller::allows)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("producer", n.position().producer());
            item.put("distance_m", Math.round(n.distanceM() * 10) / 10.0);
            item.put("location", position(n.position().lat(), n.position().lon()));
            item.put("time", n.position().time());
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("complete", true);
        body.put("missing", List.of());
        Responses.json(rc.response(), 200, body);
    }

    private static Map<String, Object> position(double lat, double lon) {
        Map<String, Object> at = new LinkedHashMap<>();
        at.put("lat", lat);
        at.put("lon", lon);
        return at;
    }
}
