package io.tophat.simulator;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConsumerMetricsTest {
    private static final long MS = 1_000_000;

    @Test
    void percentiles_and_errors_of_a_window_and_of_the_whole_run() {
        ConsumerMetrics metrics = new ConsumerMetrics(Duration.ofSeconds(1));
        for (int i = 1; i <= 100; i++) {
            metrics.record(null, i * MS, true);
        }
        metrics.record(ConsumerError.UNKNOWN_PRODUCER, 2 * MS, true);
        metrics.record(ConsumerError.CONNECTION_REFUSED, 0, false);

        ConsumerFleetStats first = metrics.interval();
        assertThat(first.requests()).isEqualTo(102);
        assertThat(first.ok()).isEqualTo(100);
        assertThat(first.errors()).isEqualTo(Map.of(ConsumerError.UNKNOWN_PRODUCER, 1L, ConsumerError.CONNECTION_REFUSED, 1L));
        assertThat(first.p50Millis()).isCloseTo(50, within(1.0));
        assertThat(first.p99Millis()).isCloseTo(99, within(1.0));
        assertThat(first.oneLine()).contains("requests 102", "errors 2 [400 unknown producer 1, connection refused 1]", "p90 ");

        metrics.record(null, 500 * MS, true);
        ConsumerFleetStats second = metrics.interval();
        assertThat(second.requests()).isEqualTo(1);
        assertThat(second.errors()).isEmpty();
        assertThat(second.p50Millis()).isCloseTo(500, within(1.0));

        ConsumerFleetStats totals = metrics.totals();
        assertThat(totals.requests()).isEqualTo(103);
        assertThat(totals.errorCount()).isEqualTo(2);
        assertThat(totals.maxMillis()).isCloseTo(500, within(1.0));
    }

    @Test
    void a_request_slower_than_the_interval_also_counts_the_requests_it_held_up() {
        ConsumerMetrics metrics = new ConsumerMetrics(Duration.ofMillis(100));
        metrics.record(null, 1000 * MS, true);

        ConsumerFleetStats stats = metrics.totals();
        assertThat(stats.requests()).isEqualTo(1);
        assertThat(stats.p50Millis()).isCloseTo(500, within(10.0));
        assertThat(stats.maxMillis()).isCloseTo(1000, within(1.0));
    }
}
