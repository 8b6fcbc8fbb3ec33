package io.tophat.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tophat.geo.Area;
import io.tophat.geo.NearQuery;
import io.tophat.http.ApiException;
import io.tophat.http.JsonLimits;
import io.tophat.http.QueryParams;
import io.tophat.http.Responses;
import io.tophat.stream.SseSink;
import io.tophat.stream.StreamLimits;
import io.tophat.stream.StreamOutbox;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watched areas on the balancer: {@code POST /api/v1/areas} defines one (kept in the balancer's state),
 * {@code GET /api/v1/areas} lists them, {@code GET /api/v1/areas/{name}} says who is inside now,
 * {@code DELETE /api/v1/areas/{name}} removes one, and {@code GET /api/v1/areas/{name}/stream} sends its
 * {@code enter} and {@code leave} events as Server-Sent Events.
 */
final class AreaHandlers {
    /** The most areas one balancer watches: each stored position is judged against every one. */
    static final int MAX_AREAS = 10_000;

    private final Vertx vertx;
    private final Balancer balancer;
    private final AreaWatch watch;
    private final StreamLimits limits;

    AreaHandlers(Vertx vertx, Balancer balancer, AreaWatch watch, StreamLimits limits) {
        this.vertx = vertx;
        this.balancer = balancer;
        this.watch = watch;
        this.limits = limits;
    }

    void create(RoutingContext rc) {
        Buffer body = rc.body().buffer();
        JsonNode json;
        try {
            json = body == null || body.length() == 0 ? null : JsonLimits.read(body.getBytes(), JsonNode.class, null);
        } catch (JsonLimits.Refused e) {
            throw Requests.refused(e, "invalid JSON");
        }
        Area area = Area.parse(json);
        Area held = watch.get(area.name());
        if (held != null) {
            if (!held.sameShape(area)) {
                throw ApiException.conflict("area exists", "an area named " + area.name() + " exists with another "
                        + "shape; DELETE /api/v1/areas/" + area.name() + " first to redefine it");
            }
            Responses.json(rc.response(), 200, held.definition());
            return;
        }
        if (watch.all().size() >= MAX_AREAS) {
            throw ApiException.unprocessable("too many areas", "a balancer watches at most " + MAX_AREAS + " areas");
        }
        String definition;
        try {
            definition = Responses.MAPPER.writeValueAsString(area.definition());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        balancer.saveArea(area.name(), definition).onSuccess(v -> {
            watch.add(area);
            rc.response().putHeader("Location", "/api/v1/areas/" + area.name());
            Responses.json(rc.response(), 201, area.definition());
        }).onFailure(rc::fail);
    }

    void list(RoutingContext rc) {
        List<Map<String, Object>> items = new ArrayList<>();
        watch.all().forEach(a -> items.add(a.definition()));
        Responses.json(rc.response(), 200, Map.of("items", items));
    }

    void show(RoutingContext rc) {
        Area area = known(rc);
        int limit = QueryParams.limit(rc.queryParams().get("limit"), 1000, NearQuery.MAX_LIMIT);
        watch.insideNow(area, limit).onSuccess(m -> {
            List<Map<String, Object>> inside = new ArrayList<>();
            io.tophat.security.Caller caller = io.tophat.security.Access.caller(rc);
            for (NearHandlers.Found f : m.items()) {
                if (!caller.allows(f.item().producer())) {
                    continue;
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("producer", f.item().producer());
                item.put("location", NearHandlers.position(f.item().lat(), f.item().lon()));
                item.put("time", f.item().time());
                item.put("worker", f.worker().url());
                inside.add(item);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("area", area.definition());
            out.put("inside", inside);
            out.put("complete", m.missing().isEmpty());
            out.put("missing", m.missing());
            Responses.json(rc.response(), 200, out);
        });
    }

    void remove(RoutingContext rc) {
        Area area = known(rc);
        balancer.removeArea(area.name()).onSuccess(v -> {
            watch.remove(area.name());
            rc.response().setStatusCode(204).end();
        }).onFailure(rc::fail);
    }

    void stream(RoutingContext rc) {
        Area area = known(rc);
        SseSink sink = SseSink.start(rc.request());
        watch.subscribe(area.name(), sink, new StreamOutbox(vertx, sink, limits, null),
                io.tophat.security.Access.caller(rc)::allows);
    }

    private Area known(RoutingContext rc) {
        Area area = watch.get(rc.pathParam("name"));
        if (area == null) {
            throw ApiException.notFound("unknown area", "no area is named '"
                    + io.tophat.http.WireText.echo(rc.pathParam("name")) + "'; POST /api/v1/areas defines one");
        }
        return area;
    }
}
