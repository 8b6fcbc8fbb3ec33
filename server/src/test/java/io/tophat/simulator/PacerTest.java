package io.tophat.simulator;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PacerTest {

    @Test
    void ticks_come_one_interval_apart_until_the_deadline() throws Exception {
        long start = System.nanoTime();
        Pacer pacer = new Pacer(Duration.ofMillis(20), start, start + Duration.ofMillis(100).toNanos(), true);
        int ticks = 0;
        while (pacer.awaitNext()) {
            ticks++;
        }
        assertThat(ticks).isEqualTo(5);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(80));
    }

    @Test
    void missed_ticks_are_skipped_rather_than_made_up_in_a_burst() throws Exception {
        long start = System.nanoTime() - Duration.ofSeconds(1).toNanos();
        Pacer pacer = new Pacer(Duration.ofMillis(50), start, 0, false);

        long until = System.nanoTime() + Duration.ofMillis(120).toNanos();
        int ticks = 0;
        while (System.nanoTime() - until < 0 && pacer.awaitNext()) {
            ticks++;
        }

        assertThat(ticks).isBetween(2, 4);
    }
}
