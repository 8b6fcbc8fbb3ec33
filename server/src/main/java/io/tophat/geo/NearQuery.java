package io.tophat.geo;

import io.tophat.history.HistoryRequest;
import io.tophat.http.ApiException;
import io.tophat.http.QueryParams;
import io.vertx.core.MultiMap;

/**
 * A "who is near here" request as both servers read it: {@code lat} (-90 to 90), {@code lon} (-180 to 180),
 * {@code radius_m} (above 0, at most half the Earth's circumference), {@code limit} (1 to {@value #MAX_LIMIT},
 * default {@value #DEFAULT_LIMIT}), {@code seen_since} (epoch ms or ISO-8601, optional). Mistakes are 400s.
 */
public record NearQuery(double lat, double lon, double radiusM, int limit, long seenSince) {
    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 100;

    public static NearQuery parse(MultiMap params) {
        double lat = number(params.get("lat"), "lat", -90, 90);
        double lon = number(params.get("lon"), "lon", -180, 180);
        double radius = number(params.get("radius_m"), "radius_m", 0, NearIndex.MAX_RADIUS_M);
        if (radius <= 0) {
            throw ApiException.badRequest("invalid radius_m", "radius_m must be above 0");
        }
        int limit = QueryParams.limit(params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        long seenSince = HistoryRequest.time(params.get("seen_since"), "seen_since", Long.MIN_VALUE);
        return new NearQuery(lat, lon, radius, limit, seenSince);
    }

    private static double number(String raw, String name, double min, double max) {
        if (raw == null || raw.isEmpty()) {
            throw ApiException.badRequest("invalid " + name, name + " is required");
        }
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= min && v <= max)) {
            throw ApiException.badRequest("invalid " + name, name + " must be a number from " + min + " to " + max
                    + ", not '" + io.tophat.http.WireText.echo(raw) + "'");
        }
        return v;
    }

    /** The query string a worker is asked with. */
    public String parameters() {
        return "lat=" + lat + "&lon=" + lon + "&radius_m=" + radiusM + "&limit=" + limit
                + (seenSince == Long.MIN_VALUE ? "" : "&seen_since=" + seenSince);
    }
}
