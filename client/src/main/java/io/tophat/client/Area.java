package io.tophat.client;

/**
 * A watched area as the balancer keeps it: a circle ({@code lat}, {@code lon}, {@code radiusM}) or a GeoJSON
 * Polygon ({@code polygon}, its JSON text; the others null).
 */
public record Area(String name, Double lat, Double lon, Double radiusM, String polygon) {
    public static Area circle(String name, double lat, double lon, double radiusM) {
        return new Area(name, lat, lon, radiusM, null);
    }

    /** @param geoJson a GeoJSON Polygon object: {@code {"type":"Polygon","coordinates":[[[lon,lat],...]]}} */
    public static Area polygon(String name, String geoJson) {
        return new Area(name, null, null, null, geoJson);
    }

    public boolean isCircle() {
        return polygon == null;
    }
}
