package io.tophat.geo;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.geometry.S2Cap;
import com.google.common.geometry.S2LatLng;
import com.google.common.geometry.S2Loop;
import com.google.common.geometry.S2Point;
import com.google.common.geometry.S2Polygon;
import io.tophat.http.ApiException;
import io.tophat.protocol.ProducerId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A watched area: a circle (centre and radius in metres, distances by haversine) or a GeoJSON Polygon (RFC 7946:
 * rings of [lon, lat] positions, the first the outer boundary, the others holes; edges are great-circle arcs, as
 * S2 draws them). Its definition is the JSON it was created with, normalised.
 *
 * @param name    1 to 64 of {@code [A-Za-z0-9._:-]}, like a producer id
 * @param lat     the circle's centre, or the polygon's bounding cap's centre
 * @param lon     likewise
 * @param radiusM the circle's radius, or the polygon's bounding cap's radius
 * @param rings   the polygon's rings as [lon, lat] pairs, or null for a circle
 */
public record Area(String name, double lat, double lon, double radiusM, List<List<double[]>> rings, S2Polygon polygon) {
    public static final int MAX_VERTICES = 10_000;

    public boolean contains(double pLat, double pLon) {
        if (polygon == null) {
            return Haversine.metres(lat, lon, pLat, pLon) <= radiusM;
        }
        return polygon.contains(S2LatLng.fromDegrees(pLat, pLon).toPoint());
    }

    public static Area circle(String name, double lat, double lon, double radiusM) {
        return new Area(name, lat, lon, radiusM, null, null);
    }

    /** The definition as the API shows it: {@code {name, lat, lon, radius_m}} or {@code {name, polygon}}. */
    public Map<String, Object> definition() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        if (rings == null) {
            out.put("lat", lat);
            out.put("lon", lon);
            out.put("radius_m", radiusM);
        } else {
            Map<String, Object> geometry = new LinkedHashMap<>();
            geometry.put("type", "Polygon");
            geometry.put("coordinates", rings);
            out.put("polygon", geometry);
        }
        return out;
    }

    /** True when both define the same shape. */
    public boolean sameShape(Area o) {
        if (rings == null || o.rings == null) {
            return rings == o.rings && lat == o.lat && lon == o.lon && radiusM == o.radiusM;
        }
        return deepEquals(rings, o.rings);
    }

    private static boolean deepEquals(List<List<double[]>> a, List<List<double[]>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).size() != b.get(i).size()) {
                return false;
            }
            for (int j = 0; j < a.get(i).size(); j++) {
                if (!java.util.Arrays.equals(a.get(i).get(j), b.get(i).get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Reads a definition: {@code {"name", "lat", "lon", "radius_m"}} or {@code {"name", "polygon": GeoJSON
     * Polygon}}. A mistake is a 422 saying what to fix (400 when it is not an object).
     */
    public static Area parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid area", "the body must be a JSON object");
        }
        JsonNode nameNode = body.get("name");
        String name = nameNode != null && nameNode.isTextual() ? nameNode.asText() : null;
        String problem = name == null ? "name is required" : ProducerId.problem(name);
        if (problem != null) {
            throw ApiException.unprocessable("invalid area name", problem.replace("producer id", "area name"));
        }
        JsonNode polygon = body.get("polygon");
        if (polygon != null) {
            if (body.has("lat") || body.has("lon") || body.has("radius_m")) {
                throw ApiException.unprocessable("invalid area", "give either lat, lon and radius_m, or polygon");
            }
            return polygon(name, polygon);
        }
        double lat = number(body, "lat", -90, 90);
        double lon = number(body, "lon", -180, 180);
        double radius = number(body, "radius_m", 0, NearIndex.MAX_RADIUS_M);
        if (radius <= 0) {
            throw ApiException.unprocessable("invalid radius_m", "radius_m must be above 0");
        }
        return circle(name, lat, lon, radius);
    }

    private static double number(JsonNode body, String field, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null || !n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= max)) {
            throw ApiException.unprocessable("invalid " + field, field + " must be a number from " + min + " to " + max);
        }
        return n.asDouble();
    }

    private static Area polygon(String name, JsonNode geometry) {
        if (!geometry.isObject() || !"Polygon".equals(geometry.path("type").asText())
                || !geometry.path("coordinates").isArray() || geometry.path("coordinates").isEmpty()) {
            throw ApiException.unprocessable("invalid polygon", "polygon must be a GeoJSON Polygon: "
                    + "{\"type\": \"Polygon\", \"coordinates\": [[[lon, lat], ...], ...]}");
        }
        List<List<double[]>> rings = new ArrayList<>();
        List<S2Loop> loops = new ArrayList<>();
        int vertices = 0;
        for (JsonNode ringNode : geometry.get("coordinates")) {
            if (!ringNode.isArray() || ringNode.size() < 4) {
                throw ApiException.unprocessable("invalid polygon", "each ring needs at least 4 positions, the last "
                        + "equal to the first");
            }
            List<double[]> ring = new ArrayList<>();
            for (JsonNode pos : ringNode) {
                if (!pos.isArray() || pos.size() < 2 || !pos.get(0).isNumber() || !pos.get(1).isNumber()
                        || Math.abs(pos.get(0).asDouble()) > 180 || Math.abs(pos.get(1).asDouble()) > 90) {
                    throw ApiException.unprocessable("invalid polygon", "a position is [lon, lat] with lon from -180 to "
                            + "180 and lat from -90 to 90");
                }
                ring.add(new double[]{pos.get(0).asDouble(), pos.get(1).asDouble()});
            }
            if (!java.util.Arrays.equals(ring.get(0), ring.get(ring.size() - 1))) {
                throw ApiException.unprocessable("invalid polygon", "a ring's last position must equal its first");
            }
            vertices += ring.size();
            if (vertices > MAX_VERTICES) {
                throw ApiException.unprocessable("invalid polygon", "at most " + MAX_VERTICES + " positions");
            }
            List<S2Point> points = new ArrayList<>();
            for (int i = 0; i < ring.size() - 1; i++) {
                points.add(S2LatLng.fromDegrees(ring.get(i)[1], ring.get(i)[0]).toPoint());
            }
            S2Loop loop = new S2Loop(points);
            if (!loop.isValid()) {
                throw ApiException.unprocessable("invalid polygon", "ring " + (rings.size() + 1) + " crosses itself or "
                        + "repeats a position");
            }
            loop.normalize();
            loops.add(loop);
            rings.add(ring);
        }
        S2Polygon shape = new S2Polygon(loops);
        S2Cap cap = shape.getCapBound();
        S2LatLng centre = new S2LatLng(cap.axis());
        double radius = Math.min(NearIndex.MAX_RADIUS_M, cap.angle().radians() * Haversine.EARTH_RADIUS_M * 1.000001 + 1);
        return new Area(name, centre.latDegrees(), centre.lngDegrees(), radius, List.copyOf(rings), shape);
    }
}
