package io.tophat.stream;

import io.tophat.http.ApiException;
import io.vertx.ext.web.RoutingContext;

/** What a stream request asks for, read the same way by worker and balancer; each mistake a 400. */
public final class StreamRequest {
    private StreamRequest() {
    }

    /** 426 unless the request asks to switch to the WebSocket protocol. */
    public static void requireWebSocket(RoutingContext rc) {
        String upgrade = rc.request().getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            rc.response().putHeader("Upgrade", "websocket");
            throw new ApiException(426, "websocket required", "this path speaks WebSocket: connect with a "
                    + "WebSocket client (Upgrade: websocket); the same events come as Server-Sent Events at the "
                    + "path ending in /stream", 0);
        }
    }

    /** The path's producer, else {@code ?producers=a,b,c}, else every producer. */
    public static StreamFilter filter(RoutingContext rc) {
        StreamFilter filter = StreamFilter.parse(rc.pathParam("id"), rc.queryParams().get("producers"));
        io.tophat.security.Caller caller = io.tophat.security.Access.caller(rc);
        if (caller.everyProducer()) {
            return filter;
        }
        if (!filter.all()) {
            for (String id : filter.producers()) {
                if (!caller.allows(id)) {
                    throw new ApiException(403, "forbidden", "the key '" + caller.key().name()
                            + "' does not reach every producer named", 0);
                }
            }
        }
        return filter.within(caller::allows);
    }

    /** The token to resume from: {@code after}, else the {@code Last-Event-ID} header, else none (from now). */
    public static StreamToken token(RoutingContext rc) {
        String raw = rc.queryParams().get("after");
        if (raw == null || raw.isEmpty()) {
            raw = rc.request().getHeader("Last-Event-ID");
        }
        if (raw == null || raw.isEmpty()) {
            return StreamToken.EMPTY;
        }
        try {
            return StreamToken.decode(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid resume token", e.getMessage());
        }
    }
}
