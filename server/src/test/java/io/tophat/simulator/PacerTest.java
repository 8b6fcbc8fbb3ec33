package io.tophat.simulator;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PacerTest {

    @Test
    void the_nth_tick_comes_no_sooner_than_n_intervals_and_none_after_the_deadline() throws Exception {
        long start = System.nanoTime();
        Pacer pacer = new Pacer(Duration.ofMillis(20), start, start + Duration.ofMillis(100).toNanos(), true);
        List<Long> ticks = new ArrayList<>();
        while (pacer.awaitNext()) {
            ticks.add(System.nanoTime());
        }

        assertThat(ticks).hasSizeBetween(1, 5);
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(Duration.ofNanos(ticks.get(i) - start)).isGreaterThanOrEqualTo(Duration.ofMillis(20L * i));
        }
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

        assertThat(ticks).isBetween(1, 4);
    }
}
