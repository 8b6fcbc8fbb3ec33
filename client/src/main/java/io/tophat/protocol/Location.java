package io.tophat.protocol;

/**
 * Where a producer is. Either a position ({@code lat}, {@code lon} and optional {@code alt} in metres,
 * {@code accuracy} in metres, {@code speed} in m/s, {@code bearing} in degrees) or, as the original
 * protocol allowed, a plain string kept as {@code label}. Absent optional values are null.
 *
 * @param extras the position's other members, kept as the producer sent them: the JSON text of the members
 *               without the braces ({@code "provider":"gps","satellites":7}), or null when there are none. A
 *               known field sent as {@code null} is kept here too, so that it is served back as sent.
 */
public record Location(Double lat, Double lon, Double alt, Double accuracy, Double speed, Double bearing, String label,
                       String extras) {

    /** A position or label without extra members. */
    public Location(Double lat, Double lon, Double alt, Double accuracy, Double speed, Double bearing, String label) {
        this(lat, lon, alt, accuracy, speed, bearing, label, null);
    }

    public static Location of(double lat, double lon) {
        return new Location(lat, lon, null, null, null, null, null);
    }

    public static Location label(String label) {
        return new Location(null, null, null, null, null, null, label);
    }

    public boolean isPosition() {
        return lat != null && lon != null;
    }

    /** Returns null when the values are in range, else a sentence saying what is wrong. */
    public String problem() {
        if (label != null) {
            return label.length() > 256 ? "location label is longer than 256 characters" : null;
        }
        if (lat == null || lon == null) {
            return "location needs both lat and lon";
        }
        if (!(lat >= -90 && lat <= 90)) {
            return "location.lat must be between -90 and 90";
        }
        if (!(lon >= -180 && lon <= 180)) {
            return "location.lon must be between -180 and 180";
        }
        if (accuracy != null && !(accuracy >= 0 && accuracy < Double.POSITIVE_INFINITY)) {
            return "location.accuracy must be a finite number, not negative";
        }
        if (speed != null && !(speed >= 0 && speed < Double.POSITIVE_INFINITY)) {
            return "location.speed must be a finite number, not negative";
        }
        if (bearing != null && !(bearing >= 0 && bearing < 360)) {
            return "location.bearing must be at least 0 and below 360";
        }
        if (alt != null && !Double.isFinite(alt)) {
            return "location.alt must be a finite number";
        }
        return null;
    }
}
