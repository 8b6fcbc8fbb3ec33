package io.tophat.stream;

import io.tophat.http.ApiException;
import io.vertx.ext.web.RoutingContext;

/** What a stream request asks for, read the same way by worker and balancer; each mistake a 400. */
public final class StreamRequest {
    private StreamRequest() {
    }

    /** The path's producer, else {@code ?producers=a,b,c}, else every producer. */
    public static StreamFilter filter(RoutingContext rc) {
        return StreamFilter.parse(rc.pathParam("id"), rc.queryParams().get("producers"));
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
