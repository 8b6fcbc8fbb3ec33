package io.tophat.simulator;

import io.tophat.protocol.Location;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SimulatedPathTest {

    @Test
    void every_position_is_valid_and_stays_around_st_andrews() {
        SplittableRandom random = new SplittableRandom(7);
        for (int phone = 0; phone < 50; phone++) {
            SimulatedPath path = new SimulatedPath(random.split());
            for (int step = 0; step < 2_000; step++) {
                Location location = path.next(10);
                assertThat(location.problem()).isNull();
                assertThat(location.lat()).isBetween(56.29, 56.39);
                assertThat(location.lon()).isBetween(-2.88, -2.70);
                assertThat(location.speed()).isBetween(0.0, 12.0);
                assertThat(location.accuracy()).isBetween(3.0, 15.0);
            }
        }
    }

    @Test
    void a_phone_moves_at_walking_or_cycling_pace() {
        SimulatedPath path = new SimulatedPath(new SplittableRandom(11));
        Location before = path.next(1);
        Location after = path.next(60);
        double metres = Math.hypot((after.lat() - before.lat()) * 111_000,
                (after.lon() - before.lon()) * 111_000 * Math.cos(Math.toRadians(56.34)));
        assertThat(metres).isBetween(10.0, 60 * 10.0);
    }

    @Test
    void the_sensor_data_is_one_small_json_object() {
        SimulatedSensors sensors = new SimulatedSensors(new SplittableRandom(3));
        String first = sensors.next(1, 1.4, false);
        String later = sensors.next(600, 1.4, false);

        assertThat(first).matches("\\{\"battery\":\\d{1,3},\"steps\":\\d+,\"temperature_c\":-?\\d+\\.\\d}");
        assertThat(steps(later)).isGreaterThan(steps(first));
    }

    private static long steps(String json) {
        return Long.parseLong(json.replaceAll(".*\"steps\":(\\d+).*", "$1"));
    }
}
