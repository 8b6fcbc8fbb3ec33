package io.tophat.client;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(42));

    @Test
    void the_ceiling_doubles_per_retry_up_to_the_maximum() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(1_000_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void every_delay_lies_between_zero_and_the_ceiling_and_they_spread() {
        for (int attempt = 1; attempt < 80; attempt++) {
            Duration low = Duration.ofDays(1);
            Duration high = Duration.ZERO;
            for (int i = 0; i < 200; i++) {
                Duration d = backoff.delay(attempt);
                assertThat(d).isBetween(Duration.ZERO, backoff.ceiling(attempt));
                low = d.compareTo(low) < 0 ? d : low;
                high = d.compareTo(high) > 0 ? d : high;
            }
            assertThat(high.minus(low)).isGreaterThan(backoff.ceiling(attempt).dividedBy(2));
        }
    }
}
