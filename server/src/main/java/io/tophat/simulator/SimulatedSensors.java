package io.tophat.simulator;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The small data object a simulated phone reports: battery percentage (draining, recharged when low), a step
 * counter (for walkers) and the air temperature, for example {@code {"battery":87,"steps":1234,"temperature_c":11.5}}.
 */
final class SimulatedSensors {
    private static final double STEP_LENGTH_M = 0.75;

    private final RandomGenerator random;
    private double battery;
    private double steps;
    private double temperature;

    SimulatedSensors(RandomGenerator random) {
        this.random = random;
        this.battery = 40 + 60 * random.nextDouble();
        this.steps = random.nextInt(8_000);
        this.temperature = 8 + 7 * random.nextDouble();
    }

    /** Advances the sensors by {@code seconds} of movement at {@code speed} m/s and returns their JSON text. */
    String next(double seconds, double speed, boolean cycling) {
        battery -= seconds * (0.002 + 0.002 * random.nextDouble());
        if (battery < 5) {
            battery = 100;
        }
        if (!cycling) {
            steps += speed * seconds / STEP_LENGTH_M;
        }
        temperature = Math.max(-10, Math.min(30, temperature + 0.05 * random.nextGaussian()));
        return String.format(Locale.ROOT, "{\"battery\":%d,\"steps\":%d,\"temperature_c\":%.1f}",
                (int) Math.ceil(battery), (long) steps, temperature);
    }
}
