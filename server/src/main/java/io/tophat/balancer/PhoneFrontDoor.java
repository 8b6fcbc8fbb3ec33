package io.tophat.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.phones.OsmAnd;
import io.tophat.phones.OwnTracks;
import io.tophat.phones.PhoneMessageException;
import io.tophat.phones.PhoneReport;
import io.tophat.security.Access;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The balancer's front door for phone apps that know one server address: Traccar Client and other OsmAnd
 * senders ({@code /osmand}, and any path of {@code --osmand-port}) and OwnTracks over HTTP ({@code /pub},
 * {@code /owntracks}). Each message becomes heartbeats of its producer, stored by the producer's worker before
 * the app gets its 200, so an app that sees the 200 may drop the point.
 */
final class PhoneFrontDoor {
    /** Largest OsmAnd body: a JSON array of a phone's buffered positions. */
    static final int MAX_OSMAND_BODY = 1024 * 1024;
    /** Largest OwnTracks body: one message. */
    static final int MAX_OWNTRACKS_BODY = 64 * 1024;
    private static final Buffer OWNTRACKS_OK = Buffer.buffer("[]");
    /** The producer and the token of an OwnTracks request, resolved from its head before the body is read. */
    private static final String OWNTRACKS_CALLER = "tophat.owntracks";

    private final Access access;
    private final PhoneRelay relay;

    PhoneFrontDoor(Access access, PhoneRelay relay) {
        this.access = access;
        this.relay = relay;
    }

    /** An OsmAnd message, any method: 200 with an empty body once its positions are stored. */
    void osmand(RoutingContext rc) {
        List<PhoneReport> reports;
        try {
            reports = osmandReports(rc);
        } catch (OsmAnd.MissingId e) {
            // as Traccar answers it: the app has nothing to read
            rc.response().setStatusCode(400).end();
            return;
        } catch (PhoneMessageException e) {
            throw ApiException.badRequest(e.error(), e.detail());
        }
        deliverAll(reports, false).onSuccess(v -> rc.response().setStatusCode(200).end()).onFailure(rc::fail);
    }

    /**
     * Ahead of the body: who an OwnTracks request is from (X-Limit-U and X-Limit-D, else u and d, else the Basic
     * user) and its token (the Basic password, else a Bearer header or {@code ?token=}), checked at once.
     */
    void ownTracksCaller(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String[] basic = basic(request.getHeader(HttpHeaders.AUTHORIZATION));
        String user = first(request.getHeader("X-Limit-U"), request.getParam("u"), basic == null ? null : basic[0]);
        String device = first(request.getHeader("X-Limit-D"), request.getParam("d"), null);
        String producer;
        try {
            producer = OwnTracks.producer(user, device);
        } catch (PhoneMessageException e) {
            throw ApiException.badRequest(e.error(), e.detail());
        }
        String token = basic != null ? basic[1] : Access.credential(request);
        access.requireProducer(producer, token);
        rc.put(OWNTRACKS_CALLER, new PhoneReport(producer, token, List.of()));
        rc.next();
    }

    /** An OwnTracks message: 200 {@code []} once a position is stored; other types are answered and not stored. */
    void ownTracks(RoutingContext rc) {
        PhoneReport caller = rc.get(OWNTRACKS_CALLER);
        Buffer body = rc.body().buffer();
        PhoneReport report;
        try {
            report = OwnTracks.read(caller.producer(), body == null || body.length() == 0 ? null : json(body),
                    caller.token());
        } catch (PhoneMessageException e) {
            throw ApiException.badRequest(e.error(), e.detail());
        }
        deliverAll(List.of(report), true).onSuccess(v -> Responses.json(rc.response(), 200, OWNTRACKS_OK))
                .onFailure(rc::fail);
    }

    private List<PhoneReport> osmandReports(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        Map<String, String> query = firstValues(rc.queryParams());
        String bearer = Access.credential(request);
        Buffer body = rc.body().buffer();
        if (body == null || body.length() == 0) {
            return List.of(OsmAnd.fromParameters(query, bearer));
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.regionMatches(true, 0, "application/json", 0, 16)) {
            return OsmAnd.fromJson(json(body), query, bearer);
        }
        // a urlencoded form, which the body handler decoded when it was labelled one; the query's parameters win
        Map<String, String> params = firstValues(request.formAttributes());
        if (params.isEmpty()) {
            new io.netty.handler.codec.http.QueryStringDecoder(body.toString(StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8, false).parameters().forEach((name, values) -> params.put(name, values.get(0)));
        }
        params.putAll(query);
        return List.of(OsmAnd.fromParameters(params, bearer));
    }

    /**
     * Checks each report's token (its producer's, unless the deployment is open, or {@code checked} already), then
     * stores them in turn.
     */
    private Future<Void> deliverAll(List<PhoneReport> reports, boolean checked) {
        Future<Void> chain = Future.succeededFuture();
        for (PhoneReport report : reports) {
            if (report.fixes().isEmpty()) {
                continue;
            }
            chain = chain.compose(v -> {
                if (!checked) {
                    access.requireProducer(report.producer(), report.token());
                }
                return relay.deliver(report, access.isOpen() || report.token() == null ? null
                        : "Bearer " + report.token());
            });
        }
        return chain;
    }

    /** The body as JSON within {@link io.tophat.http.JsonLimits}' bounds: 400 malformed, 422 beyond a bound. */
    private static JsonNode json(Buffer body) {
        try {
            return io.tophat.http.JsonLimits.read(body.getBytes(), JsonNode.class, null);
        } catch (io.tophat.http.JsonLimits.Refused e) {
            throw Requests.refused(e, "malformed JSON");
        }
    }

    private static Map<String, String> firstValues(MultiMap params) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params) {
            out.putIfAbsent(e.getKey(), e.getValue());
        }
        return out;
    }

    /** {@code [user, password]} of a Basic header, or null. */
    private static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? new String[] {pair, null} : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid Authorization header", "Basic credentials are base64 of user:password");
        }
    }

    private static String first(String a, String b, String c) {
        return a != null && !a.isEmpty() ? a : b != null && !b.isEmpty() ? b : c;
    }
}
