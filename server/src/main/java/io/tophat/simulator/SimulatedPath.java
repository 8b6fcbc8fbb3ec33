package io.tophat.simulator;

import io.tophat.protocol.Location;

import java.util.random.RandomGenerator;

/**
 * A plausible path for a simulated phone: a random walk around St Andrews (56.34, -2.79) at walking or cycling
 * speed, drifting in bearing, turning back towards the town when it strays more than a few kilometres.
 */
final class SimulatedPath {
    private static final double CENTRE_LAT = 56.34;
    private static final double CENTRE_LON = -2.79;
    private static final double EARTH_RADIUS_M = 6_371_000;
    private static final double START_RADIUS_M = 1_500;
    private static final double MAX_DISTANCE_M = 4_000;
    private static final double CYCLIST_SHARE = 0.3;

    private final RandomGenerator random;
    private final double cruiseSpeed;
    private double lat;
    private double lon;
    private double speed;
    private double bearing;

    SimulatedPath(RandomGenerator random) {
        this.random = random;
        this.cruiseSpeed = random.nextDouble() < CYCLIST_SHARE ? 3.5 + 3 * random.nextDouble() : 1.0 + 0.8 * random.nextDouble();
        double distance = START_RADIUS_M * Math.sqrt(random.nextDouble());
        double direction = 360 * random.nextDouble();
        this.lat = CENTRE_LAT;
        this.lon = CENTRE_LON;
        move(distance, direction);
        this.speed = cruiseSpeed;
        this.bearing = 360 * random.nextDouble();
    }

    /** Walks on for {@code seconds} and returns where the phone is now. */
    Location next(double seconds) {
        bearing = normalise(bearing + 20 * random.nextGaussian());
        if (distanceFromCentre() > MAX_DISTANCE_M) {
            bearing = bearingToCentre();
        }
        speed = Math.max(0, cruiseSpeed * (1 + 0.15 * random.nextGaussian()));
        move(speed * Math.max(0, seconds), bearing);
        double accuracy = 3 + 12 * random.nextDouble();
        return new Location(round(lat, 6), round(lon, 6), null, round(accuracy, 1), round(speed, 2), roundBearing(bearing), null);
    }

    double speed() {
        return speed;
    }

    boolean cycling() {
        return cruiseSpeed > 3;
    }

    private void move(double metres, double bearingDegrees) {
        double b = Math.toRadians(bearingDegrees);
        lat += Math.toDegrees(metres * Math.cos(b) / EARTH_RADIUS_M);
        lon += Math.toDegrees(metres * Math.sin(b) / (EARTH_RADIUS_M * Math.cos(Math.toRadians(lat))));
    }

    private double distanceFromCentre() {
        double north = Math.toRadians(lat - CENTRE_LAT) * EARTH_RADIUS_M;
        double east = Math.toRadians(lon - CENTRE_LON) * EARTH_RADIUS_M * Math.cos(Math.toRadians(CENTRE_LAT));
        return Math.hypot(north, east);
    }

    private double bearingToCentre() {
        double north = CENTRE_LAT - lat;
        double east = (CENTRE_LON - lon) * Math.cos(Math.toRadians(CENTRE_LAT));
        return normalise(Math.toDegrees(Math.atan2(east, north)));
    }

    private static double normalise(double degrees) {
        double d = degrees % 360;
        return d < 0 ? d + 360 : d;
    }

    private static double roundBearing(double degrees) {
        double rounded = round(degrees, 1);
        return rounded >= 360 ? 0 : rounded;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
